#!/usr/bin/python3
"""PyTorch peer for bench/run_7b.sh: a LLaMA-7B forward pass capturing every block's
`hook_resid_post`, the way interpretability code usually does it (an nn.Module forward hook per
decoder layer copying its output to numpy), written as Hugging Face's LlamaModel computes it
(eager attention, RMSNorm and softmax in f32, rotate-half RoPE).

Memory: the model's own 32 layers in RAM would be 13.5 GB beside the engine's page cache of the
same files on a 24 GiB machine, so the peer loads ONE decoder layer (layer 0 of the checkpoint),
the embedding, the final norm and lm_head, and runs that layer n_layers times. A layer is 0.4 GB
(bf16), far past any cache, so every repeat streams its weights from memory as a full model would.
peak_rss_gib is this process's; rss_full_model_gib adds the 31 layers it did not load.

  llama7b_peer.py --model DIR --tokens 9,1024 [--dtype bf16|f32] [--repeats 3] [--layers N]
      one JSON line per T: seconds and cpu_seconds per pass (best and median), tokens/s, hooks

--dtype bf16 is the checkpoint's dtype, what `from_pretrained(torch_dtype=torch.bfloat16)` runs
(oneDNN's bf16 matmul on AVX512-BF16 CPUs); f32 widens the weights once at load (OpenBLAS sgemm).
Run with /usr/bin/python3 (Debian's torch 1.13); the caller sets the thread variables.
"""
import argparse
import json
import math
import os
import resource
import statistics
import time

import numpy as np
import torch
from torch import nn

_ST_DTYPES = {"BF16": (np.int16, torch.bfloat16), "F16": (np.float16, torch.float16), "F32": (np.float32, torch.float32)}


def read_tensor(model_dir, name, index):
    """One tensor of a sharded safetensors checkpoint, read by its offsets (not the whole shard)."""
    path = os.path.join(model_dir, index[name])
    with open(path, "rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
        info = json.loads(f.read(header_len))[name]
        begin, end = info["data_offsets"]
        f.seek(8 + header_len + begin)
        storage, dtype = _ST_DTYPES[info["dtype"]]
        raw = np.frombuffer(f.read(end - begin), dtype=storage).reshape(info["shape"])
    t = torch.from_numpy(raw.copy())
    return t.view(torch.bfloat16) if dtype == torch.bfloat16 else t


def weight_map(model_dir):
    """Tensor name -> shard file: the index of a sharded checkpoint, else the one model.safetensors."""
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            return json.load(f)["weight_map"]
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    return {name: "model.safetensors" for name in header if name != "__metadata__"}


class RMSNorm(nn.Module):
    def __init__(self, weight, eps):
        super().__init__()
        self.weight, self.eps = weight, eps

    def forward(self, x):  # HF LlamaRMSNorm: the statistics in f32, the product in the weight's dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(self.weight.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class DecoderLayer(nn.Module):
    def __init__(self, W, cfg):
        super().__init__()
        self.W, self.n_heads = W, cfg["num_attention_heads"]
        self.ln1 = RMSNorm(W["input_layernorm.weight"], cfg["rms_norm_eps"])
        self.ln2 = RMSNorm(W["post_attention_layernorm.weight"], cfg["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):  # x: [T, d_model]
        T, d = x.shape
        dh = d // self.n_heads
        W = self.W
        h = self.ln1(x)
        q, k, v = (nn.functional.linear(h, W[f"self_attn.{p}_proj.weight"]).view(T, self.n_heads, dh).transpose(0, 1)
                   for p in "qkv")  # each [heads, T, d_head]
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        scores = q @ k.transpose(1, 2) / math.sqrt(dh) + mask  # [heads, T, T]
        pattern = torch.softmax(scores.float(), dim=-1).to(q.dtype)  # HF: softmax in f32
        z = (pattern @ v).transpose(0, 1).reshape(T, d)
        x = x + nn.functional.linear(z, W["self_attn.o_proj.weight"])
        h = self.ln2(x)
        gate = nn.functional.linear(h, W["mlp.gate_proj.weight"])
        up = nn.functional.linear(h, W["mlp.up_proj.weight"])
        return x + nn.functional.linear(nn.functional.silu(gate) * up, W["mlp.down_proj.weight"])


class Llama(nn.Module):
    def __init__(self, model_dir, n_layers, dtype):
        super().__init__()
        with open(os.path.join(model_dir, "config.json")) as f:
            cfg = json.load(f)
        index = weight_map(model_dir)
        self.cfg, self.dtype = cfg, dtype
        get = lambda name: read_tensor(model_dir, name, index).to(dtype)  # noqa: E731
        layer0 = {n[len("model.layers.0."):]: get(n) for n in index if n.startswith("model.layers.0.")}
        self.layer_bytes = sum(t.numel() * t.element_size() for t in layer0.values())
        self.embed, self.lm_head = get("model.embed_tokens.weight"), get("lm_head.weight")
        self.norm = RMSNorm(get("model.norm.weight"), cfg["rms_norm_eps"])
        self.layers = nn.ModuleList(DecoderLayer(layer0, cfg) for _ in range(n_layers))

    def rope(self, T):  # HF LlamaRotaryEmbedding: cos/sin [T, d_head], computed in f32
        dh = self.cfg["hidden_size"] // self.cfg["num_attention_heads"]
        inv = 1.0 / (self.cfg["rope_theta"] ** (torch.arange(0, dh, 2).float() / dh))
        angles = torch.outer(torch.arange(T).float(), inv)
        emb = torch.cat((angles, angles), dim=-1)
        return emb.cos().to(self.dtype), emb.sin().to(self.dtype)

    def forward(self, ids, n_layers=None):
        T = ids.shape[0]
        cos, sin = self.rope(T)
        mask = torch.full((T, T), float("-inf")).triu(1).to(self.dtype)
        x = self.embed[ids]
        for layer in self.layers[:n_layers]:
            x = layer(x, cos, sin, mask)
        return nn.functional.linear(self.norm(x), self.lm_head)  # logits [T, vocab]


def time_forward(model, T, repeats):
    captured = {}
    handles = [layer.register_forward_hook(
        lambda mod, inp, out, i=i: captured.__setitem__(f"blocks.{i}.hook_resid_post", out.float().numpy().copy()))
        for i, layer in enumerate(model.layers)]
    ids = torch.randint(0, model.embed.shape[0], (T,), generator=torch.Generator().manual_seed(T))
    walls, cpus = [], []
    with torch.no_grad():
        model(ids, n_layers=1)  # warm-up: oneDNN primitives and allocator for this T, one layer
        for _ in range(repeats):
            captured.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            model(ids)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - start_cpu)
    for h in handles:
        h.remove()
    return {"peer": "pytorch", "dtype": str(model.dtype).replace("torch.", ""), "tokens": T,
            "seconds": min(walls), "seconds_median": statistics.median(walls),
            "cpu_seconds": min(cpus), "cpu_seconds_median": statistics.median(cpus),
            "tokens_per_s": T / min(walls), "hooks": len(captured), "layers": len(model.layers)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", default="9,1024")
    ap.add_argument("--dtype", choices=("bf16", "f32"), default="bf16")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--layers", type=int, default=None, help="decoder layers to run (default: the config's)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.model, "config.json")) as f:
        n_layers = args.layers or json.load(f)["num_hidden_layers"]
    start = time.perf_counter()
    model = Llama(args.model, n_layers, torch.bfloat16 if args.dtype == "bf16" else torch.float32)
    load_s = time.perf_counter() - start
    for T in (int(t) for t in args.tokens.split(",")):
        r = time_forward(model, T, args.repeats)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
        r.update(load_seconds=load_s, peak_rss_gib=rss,
                 rss_full_model_gib=rss + (n_layers - 1) * model.layer_bytes / 2**30)
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
