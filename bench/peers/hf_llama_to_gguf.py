#!/usr/bin/python3
"""A Hugging Face LLaMA checkpoint (bf16 safetensors shards) as a BF16 GGUF that llama.cpp loads,
for bench/run_gguf_7b.sh: llama-quantize makes the Q8_0 and Q4_K_M files from it. Written with
llama.cpp's own gguf-py (from the peer's source tree, never a dependency of outlierscope), because
convert_hf_to_gguf.py wants the tokenizer's source files and Python packages this machine lacks.

- Tensor names and the q/k row order are llama.cpp's: the rows of each head's q and k are
  interleaved by pairs (convert_hf_to_gguf's LlamaModel.permute), the layout GGUF readers undo.
- Matrices stay bf16 (bytes copied); the norms are widened to f32, as the converter does.
- The tokenizer keys (tokenizer.ggml.*) are copied from a vocabulary-only GGUF of the same
  32000-piece LLaMA vocabulary (--vocab).
- --layers N keeps the first N decoder layers (block_count N): a 7B-shaped model of N layers.

usage: hf_llama_to_gguf.py --model HF_DIR --vocab VOCAB.gguf --gguf-py LLAMA_CPP/gguf-py --out F.gguf [--layers N]
"""
import argparse
import importlib
import json
import os
import sys

import numpy as np

# HF name inside model.layers.N -> GGUF name inside blk.N
LAYER_NAMES = {
    "input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}
GLOBAL_NAMES = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
                "lm_head.weight": "output.weight"}


class Shards:
    """The tensors of safetensors shards as read-only memory maps: [rows, cols] uint16 (bf16 bits)."""

    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "model.safetensors.index.json")) as f:
            self.where = json.load(f)["weight_map"]
        self.dir, self.headers = model_dir, {}

    def get(self, name):
        path = os.path.join(self.dir, self.where[name])
        if path not in self.headers:
            with open(path, "rb") as f:
                n = int.from_bytes(f.read(8), "little")
                self.headers[path] = (8 + n, json.loads(f.read(n)))
        base, header = self.headers[path]
        info = header[name]
        if info["dtype"] != "BF16":
            sys.exit(f"hf_llama_to_gguf: {path}: {name} is {info['dtype']}, expected BF16")
        begin, end = info["data_offsets"]
        return np.memmap(path, dtype=np.uint16, mode="r", offset=base + begin, shape=tuple(info["shape"]))


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def interleave_heads(w, n_heads):  # [n_heads * d_head, d] rows: HF's halves -> llama.cpp's pairs
    return w.reshape(n_heads, 2, w.shape[0] // n_heads // 2, w.shape[1]).swapaxes(1, 2).reshape(w.shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("--model", "--vocab", "--gguf-py", "--out"):
        ap.add_argument(name, required=True)
    ap.add_argument("--layers", type=int, default=None)
    args = ap.parse_args()
    sys.path.insert(0, args.gguf_py)
    gguf = importlib.import_module("gguf")  # the peer's gguf-py, found at run time: not a dependency

    with open(os.path.join(args.model, "config.json")) as f:
        cfg = json.load(f)
    n_layers = args.layers or cfg["num_hidden_layers"]
    heads, kv_heads = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name(f"synth llama {n_layers} layers of {cfg.get('_name_or_path', 'llama')}")
    w.add_block_count(n_layers)
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_rope_freq_base(cfg.get("rope_theta", 10000.0))
    w.add_rope_dimension_count(cfg["hidden_size"] // heads)
    w.add_vocab_size(cfg["vocab_size"])
    w.add_file_type(gguf.LlamaFileType.MOSTLY_BF16)
    vocab = gguf.GGUFReader(args.vocab)
    for key, field in vocab.fields.items():
        if not key.startswith("tokenizer."):
            continue
        value = field.contents()
        if field.types[0] == gguf.GGUFValueType.ARRAY:
            w.add_array(key, value)
        else:
            w.add_key_value(key, value, field.types[0])

    st = Shards(args.model)
    tensors = [(gguf_name, hf_name) for hf_name, gguf_name in GLOBAL_NAMES.items()]
    tensors += [(f"blk.{i}.{g}", f"model.layers.{i}.{h}") for i in range(n_layers) for h, g in LAYER_NAMES.items()]
    for gguf_name, hf_name in tensors:
        bits = st.get(hf_name)
        if bits.ndim == 1:
            w.add_tensor(gguf_name, bf16_to_f32(bits))
            continue
        if gguf_name.endswith("attn_q.weight"):
            bits = interleave_heads(bits, heads)
        elif gguf_name.endswith("attn_k.weight"):
            bits = interleave_heads(bits, kv_heads)
        w.add_tensor(gguf_name, np.ascontiguousarray(bits), raw_dtype=gguf.GGMLQuantizationType.BF16)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
