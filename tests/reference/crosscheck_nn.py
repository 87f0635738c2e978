#!/usr/bin/python3
"""Second opinion for the sequential pre-norm architectures without RoPE (gpt2, opt, mpt): rebuilds
each block from a generated checkpoint with torch.nn.TransformerEncoderLayer (norm_first, torch's
own multi-head attention; ALiBi and the causal mask passed as a float attn_mask) and checks every
blocks.{l}.hook_resid_post and hook_logits in DIR/expected_T*.safetensors against it.

usage: crosscheck_nn.py --arch gpt2|opt|mpt --dir DIR
"""
import argparse
import glob
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import st_io  # noqa: E402
from attention import alibi_slopes  # noqa: E402
from common import activation  # noqa: E402


def _layer(d, n_heads, d_ff, act, eps, bias):
    layer = torch.nn.TransformerEncoderLayer(d, n_heads, d_ff, dropout=0.0, activation=act,
                                             layer_norm_eps=eps, batch_first=True, norm_first=True)
    if not bias:  # bias-free projections and LayerNorms: zero the biases torch always creates
        for name, param in layer.named_parameters():
            if name.endswith("bias"):
                param.data.zero_()
    return layer.eval()


def _load(layer, qkv_w, qkv_b, out_w, out_b, ln1, ln2, fc1, fc2):
    """Weights in nn.Linear orientation ([out, in]); None biases stay zero."""
    sets = [(layer.self_attn.in_proj_weight, qkv_w), (layer.self_attn.in_proj_bias, qkv_b),
            (layer.self_attn.out_proj.weight, out_w), (layer.self_attn.out_proj.bias, out_b),
            (layer.norm1.weight, ln1[0]), (layer.norm1.bias, ln1[1]),
            (layer.norm2.weight, ln2[0]), (layer.norm2.bias, ln2[1]),
            (layer.linear1.weight, fc1[0]), (layer.linear1.bias, fc1[1]),
            (layer.linear2.weight, fc2[0]), (layer.linear2.bias, fc2[1])]
    for param, value in sets:
        if value is not None:
            param.data.copy_(value)


def gpt2_model(cfg, W):
    d, h = cfg["n_embd"], cfg["n_head"]
    layers = []
    for n in range(cfg["n_layer"]):
        p = f"transformer.h.{n}."
        layer = _layer(d, h, 4 * d, activation(cfg["activation_function"]), cfg["layer_norm_epsilon"], True)
        _load(layer, W[p + "attn.c_attn.weight"].T, W[p + "attn.c_attn.bias"], W[p + "attn.c_proj.weight"].T,
              W[p + "attn.c_proj.bias"], (W[p + "ln_1.weight"], W[p + "ln_1.bias"]),
              (W[p + "ln_2.weight"], W[p + "ln_2.bias"]), (W[p + "mlp.c_fc.weight"].T, W[p + "mlp.c_fc.bias"]),
              (W[p + "mlp.c_proj.weight"].T, W[p + "mlp.c_proj.bias"]))
        layers.append(layer)

    def embed(ids):
        return W["transformer.wte.weight"][ids] + W["transformer.wpe.weight"][: len(ids)]

    final = (W["transformer.ln_f.weight"], W["transformer.ln_f.bias"], cfg["layer_norm_epsilon"])
    return embed, layers, final, W["transformer.wte.weight"], None


def opt_model(cfg, W):
    d, h, m = cfg["hidden_size"], cfg["num_attention_heads"], "model.decoder."
    layers = []
    for n in range(cfg["num_hidden_layers"]):
        p = m + f"layers.{n}."
        a = p + "self_attn."
        layer = _layer(d, h, cfg["ffn_dim"], activation(cfg["activation_function"]), 1e-5, True)
        _load(layer, torch.cat([W[a + f"{x}_proj.weight"] for x in "qkv"]),
              torch.cat([W[a + f"{x}_proj.bias"] for x in "qkv"]), W[a + "out_proj.weight"], W[a + "out_proj.bias"],
              (W[p + "self_attn_layer_norm.weight"], W[p + "self_attn_layer_norm.bias"]),
              (W[p + "final_layer_norm.weight"], W[p + "final_layer_norm.bias"]),
              (W[p + "fc1.weight"], W[p + "fc1.bias"]), (W[p + "fc2.weight"], W[p + "fc2.bias"]))
        layers.append(layer)

    def embed(ids):
        return W[m + "embed_tokens.weight"][ids] + W[m + "embed_positions.weight"][2: len(ids) + 2]

    final = (W[m + "final_layer_norm.weight"], W[m + "final_layer_norm.bias"], 1e-5)
    return embed, layers, final, W[m + "embed_tokens.weight"], None


def mpt_model(cfg, W):
    d, h = cfg["d_model"], cfg["n_heads"]
    layers = []
    for n in range(cfg["n_layers"]):
        p = f"transformer.blocks.{n}."
        layer = _layer(d, h, 4 * d, torch.nn.functional.gelu, cfg["layer_norm_epsilon"], False)
        _load(layer, W[p + "attn.Wqkv.weight"], None, W[p + "attn.out_proj.weight"], None,
              (W[p + "norm_1.weight"], None), (W[p + "norm_2.weight"], None),
              (W[p + "ffn.up_proj.weight"], None), (W[p + "ffn.down_proj.weight"], None))
        layers.append(layer)

    def embed(ids):
        return W["transformer.wte.weight"][ids]

    final = (W["transformer.norm_f.weight"], None, cfg["layer_norm_epsilon"])
    slopes = alibi_slopes(h, cfg["attn_config"]["alibi_bias_max"])
    return embed, layers, final, W["transformer.wte.weight"], slopes


BUILDERS = {"gpt2": gpt2_model, "opt": opt_model, "mpt": mpt_model}


def attn_mask(n_tokens, n_heads, slopes):
    """Float mask [n_heads, T, T]: -inf above the diagonal, plus the HF MPT ALiBi bias
    slope * (j - (T-1)) when slopes are given (a per-row shift of the reference's (j - i))."""
    j = torch.arange(n_tokens)[None, :]
    i = torch.arange(n_tokens)[:, None]
    mask = torch.zeros(n_heads, n_tokens, n_tokens).masked_fill((j > i)[None], float("-inf"))
    if slopes is not None:
        mask = mask + (slopes[:, None, None] * (j - (n_tokens - 1))[None]).float()
    return mask


def check_file(path, cfg, model, n_heads):
    expected, _ = st_io.read(path)
    embed, layers, (ln_w, ln_b, eps), head, slopes = model
    ids = expected["input_ids"].long()
    x = embed(ids)[None]  # [1, T, d_model]
    mask = attn_mask(len(ids), n_heads, slopes)
    worst = 0.0
    with torch.no_grad():
        for n, layer in enumerate(layers):
            x = layer(x, src_mask=mask)
            worst = max(worst, float((x[0] - expected[f"blocks.{n}.hook_resid_post"]).abs().max()))
        logits = torch.nn.functional.layer_norm(x[0], (x.shape[-1],), ln_w, ln_b, eps) @ head.T
    worst = max(worst, float((logits - expected["hook_logits"]).abs().max()))
    return worst


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=sorted(BUILDERS))
    ap.add_argument("--dir", required=True)
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    with open(os.path.join(args.dir, "config.json")) as f:
        cfg = json.load(f)
    weights, _ = st_io.read(os.path.join(args.dir, "model.safetensors"))
    model = BUILDERS[args.arch](cfg, weights)
    n_heads = cfg.get("n_head") or cfg.get("num_attention_heads") or cfg.get("n_heads")
    files = sorted(glob.glob(os.path.join(args.dir, "expected_T*.safetensors")))
    if not files:
        sys.exit(f"crosscheck_nn.py: no expected_T*.safetensors in {args.dir}")
    for path in files:
        worst = check_file(path, cfg, model, n_heads)
        print(f"{args.arch} {os.path.basename(path)}: max |diff| {worst:.2e}")
        if worst > args.tol:
            sys.exit(f"crosscheck_nn.py: {path} differs from torch.nn by {worst:.2e} > {args.tol}")


if __name__ == "__main__":
    main(sys.argv[1:])
