#!/usr/bin/python3
"""Plants systematic outliers, with known positions, into a tiny random checkpoint made by
gen_model.py's machinery, and runs the independent PyTorch reference forward on it.

What is planted (layer indices 0-based, as in hook names), mirroring An et al.'s lifecycle:
  * the embeddings of the first token (LLaMA: the BOS id; GPT-2: position 0 of wpe) and of one
    delimiter id get a large component along a direction u (spread evenly over the channels, so
    it is no outlier by itself);
  * emergence at layer EMERGE: one MLP unit (d_ff index COLUMN) reads u (gate and up rows for
    LLaMA; c_fc column plus a negative bias for GPT-2), and its down-projection column writes only
    residual channel CHANNEL, so the two tokens get |x| ~ 900 there;
  * an attention sink at layer EMERGE + 1: every head's key reads CHANNEL and every query shares
    a positive component (LLaMA: a direction w common to all embeddings, in the lowest-frequency
    RoPE pair; GPT-2: the query bias), so all heads attend to the two tokens;
  * disappearance at the last layer: MLP unit CANCEL_COLUMN fires only when CHANNEL is huge and
    writes -0.95 x its value back.

mixtral (a routed mixture, emergence only): the unit (MOE_COLUMN) sits in expert EXPERT of layer EMERGE
(its w1 / w3 rows and w2 column), and the router sends the two tokens to experts EXPERT and RUNNER_UP (rows
reading u, EXPERT's ROUTER_MARGIN x u ahead), so the outlier is written with a routing weight near
0.75, not 1.

usage: plant_outliers.py --arch llama|gpt2|mixtral --out DIR
writes DIR/config.json, DIR/model.safetensors (F32), DIR/hooks_I.safetensors (input_ids and every
hook of the reference forward for input I) and DIR/planted.json (what was planted where).
"""
import argparse
import importlib
import json
import math
import os
import sys
from types import SimpleNamespace

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model  # noqa: E402
import st_io  # noqa: E402
from common import Checkpoint, Hooks  # noqa: E402

N_LAYERS, EMERGE, CHANNEL, COLUMN, CANCEL_COLUMN = 5, 2, 37, 101, 55
DELIM_ID = 46
ALPHA, BETA, DOWN_GAIN = 10.0, 2.0, 4.0
LENGTHS, DELIM_POS = (12, 16), (5, 9)
EXPERT, RUNNER_UP, ROUTER_GAIN, ROUTER_MARGIN = 2, 0, 3.0, 0.15
MOE_COLUMN = 70  # an expert's d_ff is 96 (gen_model.py)


def rademacher(gen, n):
    """A unit vector with every component +-1/sqrt(n)."""
    return (torch.randint(0, 2, (n,), generator=gen).float() * 2 - 1) / math.sqrt(n)


def orthogonal_rademacher(gen, u):
    """A unit vector with components +-1/sqrt(n) and exactly zero dot product with u (u is
    Rademacher too): u flipped on a random half of the channels."""
    n = u.shape[0]
    flip = torch.ones(n)
    flip[torch.randperm(n, generator=gen)[: n // 2]] = -1.0
    return u * flip


def input_ids(gen, vocab, first_id):
    out = []
    for n, delim in zip(LENGTHS, DELIM_POS):
        ids = torch.randint(3, vocab, (n,), generator=gen)
        ids[ids == DELIM_ID] = DELIM_ID + 1
        ids[ids == first_id] = 3
        ids[0], ids[delim] = first_id, DELIM_ID
        out.append(ids)
    return out


def run(module, cfg, tensors, ids):
    hooks = Hooks()
    with torch.no_grad():
        module.forward(cfg, Checkpoint(tensors), ids, hooks)
    return hooks.values


def plant_embeddings(cfg, W, gen):
    """LLaMA-style embeddings: u only on the first token and the delimiter, w shared by all."""
    u = rademacher(gen, cfg["hidden_size"])
    w = orthogonal_rademacher(gen, u)
    emb = W["model.embed_tokens.weight"]
    emb -= torch.outer(emb @ u, u)  # no ordinary token points along u
    emb += 2.0 * w  # a direction every token shares (queries of the sink layer read it)
    for tok in (cfg["bos_token_id"], DELIM_ID):
        emb[tok] += ALPHA * u
    return u, w


def plant_llama(cfg, W, gen):
    d, d_head = cfg["hidden_size"], cfg["head_dim"]
    n_heads, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    u, w = plant_embeddings(cfg, W, gen)
    p = f"model.layers.{EMERGE}.mlp."
    # The gate subtracts the shared direction w, so only tokens dominated by u open it.
    W[p + "gate_proj.weight"][COLUMN] = BETA * u - 2.0 * w
    W[p + "up_proj.weight"][COLUMN] = BETA * u
    W[p + "down_proj.weight"][:, COLUMN] = 0.0
    W[p + "down_proj.weight"][CHANNEL, COLUMN] = DOWN_GAIN
    # Sink: dimension d_head/2 - 1 of each head pairs with the lowest RoPE frequency (rotate_half
    # layout), so the score barely depends on the distance.
    dim = d_head // 2 - 1
    a = f"model.layers.{EMERGE + 1}.self_attn."
    for h in range(n_kv):
        W[a + "k_proj.weight"][h * d_head + dim, CHANNEL] = 1.0
    for h in range(n_heads):
        W[a + "q_proj.weight"][h * d_head + dim] += 2.0 * w
    # Cancel at the last layer: the gate fires only when CHANNEL dominates the normalised input
    # (the shared direction w pushes it negative for every ordinary token).
    last = f"model.layers.{N_LAYERS - 1}.mlp."
    gate = torch.zeros(d)
    gate[CHANNEL] = 3.0
    W[last + "gate_proj.weight"][CANCEL_COLUMN] = gate - 3.0 * w
    up = torch.zeros(d)
    up[CHANNEL] = 3.0
    W[last + "up_proj.weight"][CANCEL_COLUMN] = up
    W[last + "down_proj.weight"][:, CANCEL_COLUMN] = 0.0
    return f"model.layers.{N_LAYERS - 1}.mlp.down_proj.weight", (CHANNEL, CANCEL_COLUMN)


def plant_mixtral(cfg, W, gen):
    u, w = plant_embeddings(cfg, W, gen)
    p = f"model.layers.{EMERGE}.block_sparse_moe."
    router = W[p + "gate.weight"]  # [n_experts, d_model]
    router[EXPERT] = (ROUTER_GAIN + ROUTER_MARGIN) * u
    router[RUNNER_UP] = ROUTER_GAIN * u
    q = p + f"experts.{EXPERT}."
    W[q + "w1.weight"][MOE_COLUMN] = BETA * u - 2.0 * w  # gate
    W[q + "w3.weight"][MOE_COLUMN] = BETA * u            # up
    W[q + "w2.weight"][:, MOE_COLUMN] = 0.0              # down
    W[q + "w2.weight"][CHANNEL, MOE_COLUMN] = DOWN_GAIN


def plant_gpt2(cfg, W, gen):
    d = cfg["n_embd"]
    d_head = d // cfg["n_head"]
    u = rademacher(gen, d)
    for name in ("transformer.wte.weight", "transformer.wpe.weight"):
        W[name] -= torch.outer(W[name] @ u, u)  # no ordinary token or position points along u
    W["transformer.wpe.weight"][0] += ALPHA * u
    W["transformer.wte.weight"][DELIM_ID] += ALPHA * u
    p = f"transformer.h.{EMERGE}.mlp."
    W[p + "c_fc.weight"][:, COLUMN] = 4.0 * u  # Conv1D [in, out]
    W[p + "c_fc.bias"][COLUMN] = -4.0 * 4.0
    W[p + "c_proj.weight"][COLUMN, :] = 0.0
    W[p + "c_proj.weight"][COLUMN, CHANNEL] = 62.0
    a = f"transformer.h.{EMERGE + 1}.attn."
    for h in range(cfg["n_head"]):
        W[a + "c_attn.weight"][CHANNEL, d + h * d_head] = 1.0  # key dim 0 of head h reads CHANNEL
        W[a + "c_attn.bias"][h * d_head] = 4.0                 # query dim 0 of head h: constant
    last = f"transformer.h.{N_LAYERS - 1}.mlp."
    W[last + "c_fc.weight"][:, CANCEL_COLUMN] = 0.0
    W[last + "c_fc.weight"][CHANNEL, CANCEL_COLUMN] = 3.0
    W[last + "c_fc.bias"][CANCEL_COLUMN] = -3.0 * 4.0
    W[last + "c_proj.weight"][CANCEL_COLUMN, :] = 0.0
    return f"transformer.h.{N_LAYERS - 1}.mlp.c_proj.weight", (CANCEL_COLUMN, CHANNEL)


def calibrate_cancel(module, cfg, W, ids, name, index):
    """Sets the cancelling down weight so the last MLP writes -0.95 x the outlier back."""
    W[name][index] = 1.0
    hooks = run(module, cfg, W, ids)
    last = N_LAYERS - 1
    post = float(hooks[f"blocks.{last}.mlp.hook_post"][0, CANCEL_COLUMN])
    mid = float(hooks[f"blocks.{last}.hook_resid_mid"][0, CHANNEL])
    W[name][index] = -0.95 * mid / post


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=["llama", "gpt2", "mixtral"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    module = importlib.import_module(gen_model.ARCHS[args.arch])
    gen_args = SimpleNamespace(arch=args.arch, out=args.out, dtype="f32", seed=args.seed, lengths=list(LENGTHS),
                               layers=N_LAYERS, d_model=64, heads=4)
    # The planted sink must dominate attention: random q/k weights stay small (std 0.08).
    cfg = gen_model.build_checkpoint(module, gen_args, query_key_std=0.08)
    tensors, _ = st_io.read(os.path.join(args.out, "model.safetensors"))
    W = {k: v.float().clone() for k, v in tensors.items()}
    gen = torch.Generator().manual_seed(1000 + args.seed)
    if args.arch == "mixtral":
        plant_mixtral(cfg, W, gen)
    else:
        plant = plant_llama if args.arch == "llama" else plant_gpt2
        cancel_name, cancel_index = plant(cfg, W, gen)
    first_id = cfg["bos_token_id"] if args.arch != "gpt2" else 3
    all_ids = input_ids(gen, module.hook_summary(cfg)["vocab"], first_id)
    if args.arch != "mixtral":
        calibrate_cancel(module, cfg, W, all_ids[0], cancel_name, cancel_index)
    st_io.write(os.path.join(args.out, "model.safetensors"), W, {"format": "pt"})
    for i, ids in enumerate(all_ids):
        hooks = run(module, cfg, W, ids)
        hooks["input_ids"] = ids.to(torch.int32)
        st_io.write(os.path.join(args.out, f"hooks_{i}.safetensors"), hooks)
    planted = {"arch": args.arch, "emergence_layer": EMERGE, "channel": CHANNEL, "column": COLUMN,
               "sink_layer": EMERGE + 1, "disappearance_layer": N_LAYERS - 1, "cancel_column": CANCEL_COLUMN,
               "n_heads": module.hook_summary(cfg)["n_heads"],
               "inputs": [{"ids": ids.tolist(), "positions": [0, pos]} for ids, pos in zip(all_ids, DELIM_POS)]}
    if args.arch == "mixtral":
        planted.update({"expert": EXPERT, "column": MOE_COLUMN, "sink_layer": None, "disappearance_layer": None, "cancel_column": None})
    with open(os.path.join(args.out, "planted.json"), "w") as f:
        json.dump(planted, f, indent=1)
    print(f"planted {args.arch}: layer {EMERGE} channel {CHANNEL} column {planted['column']}, sink at layer {planted['sink_layer']}")


if __name__ == "__main__":
    main(sys.argv[1:])
