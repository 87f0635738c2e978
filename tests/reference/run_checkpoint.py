#!/usr/bin/python3
"""Runs the independent PyTorch reference forward on checkpoints someone else wrote (e.g. the
output of `outlierscope synth`): for each --model DIR, picks the reference module from the
config.json's model_type, reads DIR/model.safetensors, and for each length T writes
DIR/expected_T{T}.safetensors exactly as gen_model.py does (input_ids + every hook point of the
contract, with the same checks: every stored tensor used, hook names and shapes as the contract).

It never looks at how the C++ engine names or lays out tensors: the reference modules read only
config.json keys and Hugging Face tensor names.

--compute bf16 runs the forward on the weights cast to torch.bfloat16 (gen_model.py) and writes
DIR/expected_bf16_T{T}.safetensors.

usage: run_checkpoint.py --model DIR [--model DIR ...] [--lengths 9] [--seed N] [--compute f32|bf16]
"""
import argparse
import importlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_model  # noqa: E402
import st_io  # noqa: E402
from common import Checkpoint  # noqa: E402

# config.json model_type -> the reference module for that family
MODULES = {
    "llama": "arch_llama", "mistral": "arch_llama", "mixtral": "arch_llama", "qwen2": "arch_llama",
    "gpt2": "arch_gpt2", "opt": "arch_opt", "falcon": "arch_falcon", "mpt": "arch_mpt",
    "phi": "arch_phi", "gpt_neox": "arch_neox",
}


def run_model(model_dir, lengths, seed, compute="f32"):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    module = importlib.import_module(MODULES[cfg["model_type"]])
    stored, _ = st_io.read(os.path.join(model_dir, "model.safetensors"))
    weights = Checkpoint(stored, gen_model.COMPUTE_DTYPES[compute])
    args = argparse.Namespace(arch=cfg["model_type"], out=model_dir, seed=seed, dtype=cfg.get("torch_dtype"),
                              compute=compute)
    for n_tokens in lengths:
        gen_model.run_length(module, cfg, weights, args, n_tokens)
        print(f"{model_dir}: wrote {gen_model.expected_name(compute, n_tokens)}")


def main(argv):
    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", required=True, help="checkpoint directory (repeatable)")
    ap.add_argument("--lengths", default="9", help="comma-separated token counts")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compute", default="f32", choices=sorted(gen_model.COMPUTE_DTYPES))
    args = ap.parse_args(argv)
    lengths = [int(v) for v in args.lengths.split(",") if v.strip()]
    for model_dir in args.model:
        run_model(model_dir, lengths, args.seed, args.compute)


if __name__ == "__main__":
    main(sys.argv[1:])
