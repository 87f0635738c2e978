#!/usr/bin/python3
"""Builds a tiny random model of one architecture in the exact Hugging Face checkpoint layout
(DIR/config.json + DIR/model.safetensors) and, for each requested length T, runs the independent
PyTorch reference forward on deterministic random token ids and writes DIR/expected_T{T}.safetensors
with `input_ids` (I32 [T]) and every hook point of the contract (F32).

The forward reads the weights back from the written file, so with --dtype bf16/f16 it runs (in
f32) on exactly the rounded values the C++ engine will load.

With --compute bf16 the forward instead runs with every weight cast to torch.bfloat16, as Hugging
Face runs a model loaded in bf16 (the op order of the f32 forward, on bf16 tensors; common.py says
where HF computes in f32 and rounds), and writes DIR/expected_bf16_T{T}.safetensors.

usage: gen_model.py --arch ARCH --out DIR [--dtype f32|bf16|f16] [--compute f32|bf16] [--seed N] [--lengths 9,200]
"""
import argparse
import importlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import contract  # noqa: E402
import st_io  # noqa: E402
from common import Checkpoint, Hooks, WeightMaker  # noqa: E402

# ARCH name -> module implementing make_config / make_weights / forward / hook_summary
ARCHS = {
    "llama": "arch_llama", "llama3": "arch_llama", "mistral": "arch_llama",
    "mixtral": "arch_llama", "qwen2": "arch_llama", "qwen2sw": "arch_llama",
    "gpt2": "arch_gpt2",
    "opt": "arch_opt",
    "falcon7b": "arch_falcon", "falcon40b": "arch_falcon", "falconrw": "arch_falcon",
    "mpt": "arch_mpt",
    "phi2": "arch_phi", "phi2qk": "arch_phi",
    "gpt_neox": "arch_neox",
}
COMPUTE_DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}
STORE_DTYPES = {"f32": (torch.float32, "float32"), "bf16": (torch.bfloat16, "bfloat16"),
                "f16": (torch.float16, "float16")}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=sorted(ARCHS))
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--dtype", default="f32", choices=sorted(STORE_DTYPES))
    ap.add_argument("--compute", default="f32", choices=sorted(COMPUTE_DTYPES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lengths", default="9,200", help="comma-separated token counts")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    args = ap.parse_args(argv)
    args.lengths = [int(v) for v in args.lengths.split(",") if v.strip()]
    if not args.lengths or min(args.lengths) < 1:
        ap.error("--lengths needs positive integers")
    if args.d_model % args.heads:
        ap.error("--d-model must be a multiple of --heads")
    return args


def token_ids(seed, n_tokens, vocab):
    gen = torch.Generator().manual_seed(seed * 1_000_003 + n_tokens)
    return torch.randint(0, vocab, (n_tokens,), generator=gen)


def write_json(path, obj):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def build_checkpoint(module, args, query_key_std=0.25):
    """query_key_std: see WeightMaker.matrix (plant_outliers.py wants a quiet 0.08 background)."""
    dims = {"d_model": args.d_model, "n_heads": args.heads, "n_layers": args.layers,
            "vocab": 256, "max_positions": max(256, max(args.lengths))}
    cfg = module.make_config(args.arch, dims)
    store_dtype, dtype_name = STORE_DTYPES[args.dtype]
    cfg["torch_dtype"] = dtype_name
    maker = WeightMaker(args.seed, query_key_std)
    module.make_weights(cfg, maker)
    os.makedirs(args.out, exist_ok=True)
    stored = {name: t.to(store_dtype) for name, t in maker.tensors.items()}
    st_io.write(os.path.join(args.out, "model.safetensors"), stored, {"format": "pt"})
    write_json(os.path.join(args.out, "config.json"), cfg)
    return cfg


def expected_name(compute, n_tokens):
    return f"expected_T{n_tokens}.safetensors" if compute == "f32" else f"expected_{compute}_T{n_tokens}.safetensors"


def run_length(module, cfg, weights, args, n_tokens):
    vocab = module.hook_summary(cfg)["vocab"]
    ids = token_ids(args.seed, n_tokens, vocab)
    hooks = Hooks()
    with torch.no_grad():
        module.forward(cfg, weights, ids, hooks)
    weights.assert_all_used()
    contract.check(hooks.values, module.hook_summary(cfg), n_tokens, args.arch)
    for name, t in hooks.values.items():
        finite = t[torch.isfinite(t)]
        if name.endswith("hook_attn_scores"):
            assert torch.isneginf(t[~torch.isfinite(t)]).all(), f"{name}: only masked entries may be non-finite"
        else:
            assert finite.numel() == t.numel(), f"{name} has non-finite values"
    tensors = dict(hooks.values)
    tensors["input_ids"] = ids.to(torch.int32)
    meta = {"arch": args.arch, "tokens": n_tokens, "seed": args.seed, "dtype": args.dtype, "compute": args.compute}
    meta.update({k: repr(v) for k, v in hooks.notes.items()})
    st_io.write(os.path.join(args.out, expected_name(args.compute, n_tokens)), tensors, meta)
    return hooks.notes


def main(argv):
    torch.set_num_threads(1)
    args = parse_args(argv)
    module = importlib.import_module(ARCHS[args.arch])
    cfg = build_checkpoint(module, args)
    stored, _ = st_io.read(os.path.join(args.out, "model.safetensors"))
    weights = Checkpoint(stored, COMPUTE_DTYPES[args.compute])
    for n_tokens in args.lengths:
        notes = run_length(module, cfg, weights, args, n_tokens)
        extra = "".join(f" {k}={v:.3g}" for k, v in notes.items())
        print(f"{args.arch}: wrote {expected_name(args.compute, n_tokens)}{extra}")


if __name__ == "__main__":
    main(sys.argv[1:])
