#!/usr/bin/python3
"""PyTorch reference forward of an `outlierscope train` export: a Hugging Face GPT-2 folder
(config.json + model.safetensors, Conv1D weights stored [in, out]) whose config names its
attention variant in `outlierscope_attention_variant` (absent: softmax) and whose layers carry
the variant's tensors (attn.k_extra, attn.v_extra [H, d_head]; attn.gate.weight [H, D], gate.bias).
The variant math is train_ref.attention_parts (the trainer's autograd reference).

  variant_ref.py --model DIR --ids 3,1,4,1,5 --out hooks.safetensors

Writes input_ids (I32 [T]) and, in the engine's hook names (docs/hooks.md), every hook point the
engine has for that variant: hook_embed, hook_pos_embed, per layer hook_resid_pre,
ln1.hook_normalized, attn.hook_q/k/v, attn.hook_attn_scores, attn.hook_extra_score,
attn.hook_pattern, attn.hook_extra_weight, attn.hook_gate, attn.hook_z, hook_attn_out,
hook_resid_mid, ln2.hook_normalized, mlp.hook_pre, mlp.hook_post, hook_mlp_out, hook_resid_post,
then ln_final.hook_normalized and hook_logits. Computed in float64, written as float32. Every
tensor of the file must be used (an unused one is an error).
"""
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402
import train_ref  # noqa: E402

CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")


def load(model_dir):
    config = json.load(open(os.path.join(model_dir, "config.json")))
    tensors, _ = st_io.read(os.path.join(model_dir, "model.safetensors"))
    p = {}
    for name, t in tensors.items():
        t = t.to(torch.float64)
        p[name] = t.t().contiguous() if name.endswith(CONV1D) else t  # -> [out, in] as F.linear wants
    cfg = {"heads": config["n_head"], "layers": config["n_layer"], "context": config["n_positions"],
           "variant": config.get("outlierscope_attention_variant", "softmax")}
    return cfg, p


def hooked_layernorm(hooks, name, x, weight, bias):
    """The trainer's LayerNorm, recording TransformerLens's hook_normalized: the normalised value
    before the weight and bias."""
    hooks[name] = train_ref.layernorm(x, None, None)
    y = hooks[name] * weight
    return y if bias is None else y + bias


def forward(cfg, p, ids):
    used = set()

    def w(name):
        used.add(name)
        return p[name]

    def opt(name):
        if name in p:
            used.add(name)
        return p.get(name)

    hooks = {}
    T = len(ids)
    x = w("wte.weight")[ids]
    hooks["hook_embed"] = x
    pos = w("wpe.weight")[:T]
    hooks["hook_pos_embed"] = pos
    x = x + pos
    H = cfg["heads"]
    for l in range(cfg["layers"]):
        pre, b = f"h.{l}.", f"blocks.{l}."
        hooks[b + "hook_resid_pre"] = x
        h = hooked_layernorm(hooks, b + "ln1.hook_normalized", x, w(pre + "ln_1.weight"), opt(pre + "ln_1.bias"))
        qkv = F.linear(h, w(pre + "attn.c_attn.weight"), opt(pre + "attn.c_attn.bias"))
        D = h.shape[-1]
        for i, n in enumerate("qkv"):
            hooks[b + "attn.hook_" + n] = qkv[:, i * D:(i + 1) * D].reshape(T, H, D // H)
        for n in ("attn.k_extra", "attn.v_extra", "attn.gate.weight", "attn.gate.bias"):
            opt(pre + n)
        parts = train_ref.attention_parts(cfg, p, pre, h.unsqueeze(0), qkv.unsqueeze(0))
        hooks[b + "attn.hook_attn_scores"] = parts["scores"][0]
        if "extra_score" in parts:
            hooks[b + "attn.hook_extra_score"] = parts["extra_score"][0]
        hooks[b + "attn.hook_pattern"] = parts["pattern"][0]
        if "extra_weight" in parts:
            hooks[b + "attn.hook_extra_weight"] = parts["extra_weight"][0]
        if "gate" in parts:
            hooks[b + "attn.hook_gate"] = parts["gate"][0]
        y = parts["y"][0]
        hooks[b + "attn.hook_z"] = y.reshape(T, H, D // H)
        attn_out = F.linear(y, w(pre + "attn.c_proj.weight"), opt(pre + "attn.c_proj.bias"))
        hooks[b + "hook_attn_out"] = attn_out
        x = x + attn_out
        hooks[b + "hook_resid_mid"] = x
        h = hooked_layernorm(hooks, b + "ln2.hook_normalized", x, w(pre + "ln_2.weight"), opt(pre + "ln_2.bias"))
        fc = F.linear(h, w(pre + "mlp.c_fc.weight"), opt(pre + "mlp.c_fc.bias"))
        hooks[b + "mlp.hook_pre"] = fc
        act = F.gelu(fc, approximate="tanh")
        hooks[b + "mlp.hook_post"] = act
        mlp_out = F.linear(act, w(pre + "mlp.c_proj.weight"), opt(pre + "mlp.c_proj.bias"))
        hooks[b + "hook_mlp_out"] = mlp_out
        x = x + mlp_out
        hooks[b + "hook_resid_post"] = x
    x = hooked_layernorm(hooks, "ln_final.hook_normalized", x, w("ln_f.weight"), opt("ln_f.bias"))
    hooks["hook_logits"] = x @ w("wte.weight").t()
    unused = sorted(set(p) - used)
    if unused:
        raise SystemExit("variant_ref.py: unused tensors " + ", ".join(unused))
    return hooks


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--ids", required=True, help="comma-separated token ids")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cfg, p = load(args.model)
    ids = torch.tensor([int(v) for v in args.ids.split(",")], dtype=torch.long)
    with torch.no_grad():
        hooks = forward(cfg, p, ids)
    out = {k: v.to(torch.float32).contiguous() for k, v in hooks.items()}
    out["input_ids"] = ids.to(torch.int32)
    st_io.write(args.out, out, {"variant": cfg["variant"]})


if __name__ == "__main__":
    main()
