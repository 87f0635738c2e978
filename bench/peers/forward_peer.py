#!/usr/bin/python3
"""PyTorch peer for bench/run_forward.sh: a GPT-2-124M-shaped forward pass capturing every hook
point, the way interpretability code usually does it (nn.Module forward hooks copying each
output to numpy), for comparison with `forward_bench` (the C++ engine capturing all hooks).

  forward_peer.py make --out DIR            random GPT-2-124M-shaped HF checkpoint (f32, seeded):
                                            DIR/config.json + DIR/model.safetensors
  forward_peer.py time --model DIR --tokens 64,256,1024 [--repeats 3]
                                            prints one JSON line per T: tokens/s, seconds, hooks

Run with /usr/bin/python3 (Debian's torch 1.13). Threads: torch.set_num_threads(2); the caller
sets OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "reference"))

import arch_gpt2  # noqa: E402  (config keys and weight layout of the reference oracle)
import st_io  # noqa: E402
from common import WeightMaker  # noqa: E402

DIMS = {"d_model": 768, "n_heads": 12, "n_layers": 12, "vocab": 50257, "max_positions": 1024}


def make_checkpoint(out):
    os.makedirs(out, exist_ok=True)
    cfg = arch_gpt2.make_config("gpt2", DIMS)
    cfg["torch_dtype"] = "float32"
    maker = WeightMaker(0)
    arch_gpt2.make_weights(cfg, maker)
    st_io.write(os.path.join(out, "model.safetensors"), maker.tensors, {"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


class HookPoint(nn.Identity):
    """A named identity module: forward hooks on it see the activation (TransformerLens style)."""


class Block(nn.Module):
    def __init__(self, d, n_heads, d_ff, eps):
        super().__init__()
        self.n_heads, self.d_head = n_heads, d // n_heads
        self.ln_1, self.ln_2 = nn.LayerNorm(d, eps=eps), nn.LayerNorm(d, eps=eps)
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.mlp_proj = nn.Linear(d, d_ff), nn.Linear(d_ff, d)
        for name in ("resid_pre", "ln1", "q", "k", "v", "scores", "pattern", "z", "attn_out",
                     "resid_mid", "ln2", "mlp_pre", "mlp_post", "mlp_out", "resid_post"):
            setattr(self, "hook_" + name, HookPoint())

    def forward(self, x):
        T = x.shape[0]
        x = self.hook_resid_pre(x)
        h = self.hook_ln1(self.ln_1(x))
        q, k, v = self.c_attn(h).split(self.n_heads * self.d_head, dim=-1)
        q = self.hook_q(q.view(T, self.n_heads, self.d_head))
        k = self.hook_k(k.view(T, self.n_heads, self.d_head))
        v = self.hook_v(v.view(T, self.n_heads, self.d_head))
        s = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(self.d_head)
        mask = torch.ones(T, T, dtype=torch.bool).triu(1)
        s = self.hook_scores(s.masked_fill(mask, float("-inf")))
        p = self.hook_pattern(torch.softmax(s, dim=-1))
        z = self.hook_z(torch.einsum("hqk,khd->qhd", p, v))
        a = self.hook_attn_out(self.c_proj(z.reshape(T, -1)))
        x = self.hook_resid_mid(x + a)
        h2 = self.hook_ln2(self.ln_2(x))
        pre = self.hook_mlp_pre(self.c_fc(h2))
        post = self.hook_mlp_post(nn.functional.gelu(pre, approximate="tanh"))
        m = self.hook_mlp_out(self.mlp_proj(post))
        return self.hook_resid_post(x + m)


class GPT2(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, eps = cfg["n_embd"], cfg["layer_norm_epsilon"]
        self.wte, self.wpe = nn.Embedding(cfg["vocab_size"], d), nn.Embedding(cfg["n_positions"], d)
        self.blocks = nn.ModuleList(Block(d, cfg["n_head"], 4 * d, eps) for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(d, eps=eps)
        self.hook_embed, self.hook_pos_embed = HookPoint(), HookPoint()
        self.hook_ln_final, self.hook_logits = HookPoint(), HookPoint()

    def forward(self, ids):
        x = self.hook_embed(self.wte(ids)) + self.hook_pos_embed(self.wpe(torch.arange(ids.shape[0])))
        for block in self.blocks:
            x = block(x)
        h = self.hook_ln_final(self.ln_f(x))
        return self.hook_logits(h @ self.wte.weight.T)


def load_model(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    W, _ = st_io.read(os.path.join(model_dir, "model.safetensors"))
    m = GPT2(cfg)
    with torch.no_grad():
        m.wte.weight.copy_(W["transformer.wte.weight"])
        m.wpe.weight.copy_(W["transformer.wpe.weight"])
        m.ln_f.weight.copy_(W["transformer.ln_f.weight"])
        m.ln_f.bias.copy_(W["transformer.ln_f.bias"])
        for i, b in enumerate(m.blocks):
            p = f"transformer.h.{i}."
            for ln, name in ((b.ln_1, "ln_1"), (b.ln_2, "ln_2")):
                ln.weight.copy_(W[p + name + ".weight"])
                ln.bias.copy_(W[p + name + ".bias"])
            # HF Conv1D stores [in, out]; nn.Linear wants [out, in].
            for lin, name in ((b.c_attn, "attn.c_attn"), (b.c_proj, "attn.c_proj"), (b.c_fc, "mlp.c_fc"),
                              (b.mlp_proj, "mlp.c_proj")):
                lin.weight.copy_(W[p + name + ".weight"].T)
                lin.bias.copy_(W[p + name + ".bias"])
    return m.eval()


def time_forward(model, T, repeats):
    captured = {}
    handles = [mod.register_forward_hook(
        lambda mod, inp, out, name=name: captured.__setitem__(name, out.detach().numpy().copy()))
        for name, mod in model.named_modules() if isinstance(mod, HookPoint)]
    ids = torch.randint(0, model.wte.weight.shape[0], (T,), generator=torch.Generator().manual_seed(T))
    best, best_cpu = float("inf"), float("inf")
    with torch.no_grad():
        for _ in range(repeats + 1):  # the first run warms up
            captured.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            model(ids)
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
    for h in handles:
        h.remove()
    nbytes = sum(a.nbytes for a in captured.values())
    # cpu_seconds (all threads) is the fairer figure on a shared, oversubscribed machine.
    return {"peer": "pytorch", "tokens": T, "seconds": best, "cpu_seconds": best_cpu, "tokens_per_s": T / best,
            "hooks": len(captured), "captured_bytes": nbytes}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make")
    mk.add_argument("--out", required=True)
    tm = sub.add_parser("time")
    tm.add_argument("--model", required=True)
    tm.add_argument("--tokens", default="64,256,1024")
    tm.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.cmd == "make":
        make_checkpoint(args.out)
        return
    model = load_model(args.model)
    for T in (int(t) for t in args.tokens.split(",")):
        print(json.dumps(time_forward(model, T, args.repeats)), flush=True)


if __name__ == "__main__":
    main()
