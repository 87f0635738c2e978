#!/usr/bin/env python3
"""Writes the small valid seed files into OUT_DIR/{gguf,safetensors,hf_config}/ (hand-assembled,
independent of the C++ writers): make_seeds.py OUT_DIR. run_all.sh calls it before each fuzz run,
so no binary seed is committed."""
import json
import os
import struct
import sys



def gguf_string(s, v1=False):
    b = s.encode()
    return struct.pack("<I" if v1 else "<Q", len(b)) + b


def gguf(version=3):
    v1 = version == 1
    count = "<I" if v1 else "<Q"
    kv = [
        gguf_string("general.architecture", v1) + struct.pack("<I", 8) + gguf_string("llama", v1),
        gguf_string("llama.block_count", v1) + struct.pack("<II", 4, 1),
        gguf_string("llama.embedding_length", v1) + struct.pack("<II", 4, 32),
        gguf_string("llama.attention.head_count", v1) + struct.pack("<II", 4, 4),
        gguf_string("llama.feed_forward_length", v1) + struct.pack("<II", 4, 64),
        gguf_string("llama.attention.layer_norm_rms_epsilon", v1) + struct.pack("<If", 6, 1e-5),
        gguf_string("tokenizer.ggml.tokens", v1) + struct.pack("<II", 9, 8) + struct.pack(count, 3)
        + b"".join(gguf_string(t, v1) for t in ["<unk>", "a", "b"]),
        gguf_string("tokenizer.ggml.scores", v1) + struct.pack("<II", 9, 6) + struct.pack(count, 3)
        + struct.pack("<3f", 0, -1, -2),
        gguf_string("nested", v1) + struct.pack("<II", 9, 9) + struct.pack(count, 1)
        + struct.pack("<I", 5) + struct.pack(count, 2) + struct.pack("<ii", -1, 7),
    ]
    dims = (lambda ne: struct.pack("<I", len(ne)) + b"".join(struct.pack("<I" if v1 else "<Q", d) for d in ne))
    tensors = [
        gguf_string("token_embd.weight", v1) + dims([32, 3]) + struct.pack("<IQ", 0, 0),
        gguf_string("blk.0.ffn_down.weight", v1) + dims([32, 2]) + struct.pack("<IQ", 8, 384),
    ]
    head = b"GGUF" + struct.pack("<I", version) + struct.pack(count, len(tensors)) + struct.pack(count, len(kv))
    head += b"".join(kv) + b"".join(tensors)
    head += b"\0" * (-len(head) % 32)
    data = struct.pack("<96f", *[i / 8 for i in range(96)])  # 384 bytes
    q8 = b""
    for block in range(2):
        q8 += struct.pack("<e", 0.5) + bytes((i * 7 + block) % 256 for i in range(32))
    return head + data + q8


def safetensors():
    header = {
        "__metadata__": {"format": "pt"},
        "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
        "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]},
        "c": {"dtype": "I64", "shape": [1], "data_offsets": [22, 30]},
    }
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    data = struct.pack("<4f", 1, -2, 3.5, 0) + struct.pack("<3H", 0x3F80, 0xC000, 0x7F80) + struct.pack("<q", -5)
    return struct.pack("<Q", len(text)) + text + data


CONFIGS = {
    "llama": {"model_type": "llama", "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 5,
              "num_attention_heads": 8, "num_key_value_heads": 4, "vocab_size": 512, "rms_norm_eps": 1e-5,
              "rope_scaling": {"rope_type": "llama3", "factor": 8.0}, "eos_token_id": [2, 3]},
    "gpt2": {"model_type": "gpt2", "n_embd": 64, "n_layer": 2, "n_head": 4, "n_positions": 128, "vocab_size": 100},
    "opt": {"model_type": "opt", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "ffn_dim": 256,
            "word_embed_proj_dim": 64, "vocab_size": 100},
    "falcon": {"model_type": "RefinedWeb", "hidden_size": 64, "n_layer": 2, "n_head": 8, "n_head_kv": 2,
               "vocab_size": 100},
    "mpt": {"model_type": "mpt", "d_model": 64, "n_heads": 4, "n_layers": 2, "vocab_size": 100, "no_bias": True,
            "attn_config": {"alibi": True, "alibi_bias_max": 8, "clip_qkv": 6}},
    "phi": {"architectures": ["PhiForCausalLM"], "hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 2,
            "num_attention_heads": 4, "partial_rotary_factor": 0.5, "vocab_size": 100},
    "neox": {"model_type": "gpt_neox", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
             "rotary_pct": 0.25, "vocab_size": 100},
    "mixtral": {"model_type": "mixtral", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100, "num_local_experts": 4,
                "num_experts_per_tok": 2, "sliding_window": 16},
}


def main():
    out = sys.argv[1]
    for folder in ("gguf", "safetensors", "hf_config"):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
    write = lambda rel, data: open(os.path.join(out, rel), "wb").write(data)
    write("gguf/v3.gguf", gguf(3))
    write("gguf/v2.gguf", gguf(2))
    write("gguf/v1.gguf", gguf(1))
    write("safetensors/small.safetensors", safetensors())
    for name, config in CONFIGS.items():
        write(f"hf_config/{name}.json", json.dumps(config, indent=1).encode())


if __name__ == "__main__":
    main()
