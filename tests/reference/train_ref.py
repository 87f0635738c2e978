"""PyTorch autograd reference for outlierscope's GPT-2 trainer (src/train/).

Independent re-implementation of the model (nanoGPT layout, tied embeddings, GELU-tanh, the
attention variants of An et al. 2025 / Bondarenko et al. 2023) with torch ops and autograd.

  train_ref.py grads CASES.json   # per case: loss and every parameter gradient, in float64
  train_ref.py adamw CASE.json    # float32 AdamW training (torch.optim.AdamW), losses per step

Case files name the config (GptConfig JSON), a weights .safetensors (our names, linear weights
[out, in]) and a batch .safetensors ("tokens" and "targets", int32 [micro_batches, B, T]).
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402

CLIP_ZETA, CLIP_GAMMA = 1.0, -0.03


def layernorm(x, w, b):
    return F.layer_norm(x, (x.shape[-1],), w, b, 1e-5)


def attention_parts(cfg, p, pre, x, qkv):
    """x: [B, T, D] attention input; qkv: [B, T, 3D]. Returns a dict: "y" [B, T, D] (the output
    projection's input) and the hook values "scores" (masked logits) and "pattern" (attention
    weights) [B, H, T, T], "extra_score" (q.k'/sqrt(d)) and "extra_weight" (the extra slot's weight)
    [B, H, T] where the variant has them, "gate" [B, T, H] for gated variants."""
    B, T, D = x.shape
    H = cfg["heads"]
    hd = D // H
    q, k, v = qkv.split(D, dim=2)
    q, k, v = (t.view(B, T, H, hd).transpose(1, 2) for t in (q, k, v))  # [B, H, T, hd]
    s = q @ k.transpose(-1, -2) / math.sqrt(hd)  # [B, H, T, T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    masked = s.masked_fill(~causal, float("-inf"))
    out = {"scores": masked}
    variant = cfg["variant"]
    extra_logit = None
    if pre + "attn.k_extra" in p:
        # [B, H, T, 1]
        extra_logit = torch.einsum("bhtd,hd->bht", q, p[pre + "attn.k_extra"]).unsqueeze(-1) / math.sqrt(hd)
        out["extra_score"] = extra_logit[..., 0]
    v_extra = p.get(pre + "attn.v_extra")  # [H, hd]
    if variant in ("softmax", "ctx_scale", "gated"):
        a = F.softmax(masked, dim=-1)
        y = a @ v
    elif variant == "fixed_bias":
        a = F.softmax(masked, dim=-1)
        y = a @ v + v_extra.view(1, H, 1, hd)
        out["extra_weight"] = torch.ones(B, H, T, dtype=s.dtype)
    elif variant == "attn_bias":
        a_all = F.softmax(torch.cat([masked, extra_logit], dim=-1), dim=-1)
        a = a_all[..., :T]
        y = a @ v + a_all[..., T:] * v_extra.view(1, H, 1, hd)
        out["extra_weight"] = a_all[..., T]
    elif variant == "ctx_bias":
        a2 = F.softmax(torch.cat([masked, extra_logit], dim=-1), dim=-1)
        a = F.softmax(masked, dim=-1)
        y = a @ v + a2[..., T:] * v_extra.view(1, H, 1, hd)
        out["extra_weight"] = a2[..., T]
    elif variant == "softmax1":
        zero = torch.zeros(B, H, T, 1, dtype=s.dtype)
        a_all = F.softmax(torch.cat([masked, zero], dim=-1), dim=-1)
        a = a_all[..., :T]
        y = a @ v
        out["extra_weight"] = a_all[..., T]
    elif variant == "sigmoid":
        a = torch.sigmoid(s - math.log(cfg["context"])) * causal
        y = a @ v
    elif variant == "clipped_softmax":
        a = torch.clamp((CLIP_ZETA - CLIP_GAMMA) * F.softmax(masked, dim=-1) + CLIP_GAMMA, 0.0, 1.0)
        y = a @ v
    else:
        raise ValueError("unknown variant " + variant)
    out["pattern"] = a
    if variant in ("ctx_scale", "gated"):
        z = F.linear(x, p[pre + "attn.gate.weight"], p.get(pre + "attn.gate.bias"))  # [B, T, H]
        g = torch.sigmoid(z) * (2.0 if variant == "ctx_scale" else 1.0)
        y = y * g.transpose(1, 2).unsqueeze(-1)
        out["gate"] = g
    out["y"] = y.transpose(1, 2).reshape(B, T, D)
    return out


def attention(cfg, p, pre, x, qkv):
    """x: [B, T, D] attention input; qkv: [B, T, 3D]. Returns [B, T, D]."""
    return attention_parts(cfg, p, pre, x, qkv)["y"]


def forward(cfg, p, tokens, targets):
    B, T = tokens.shape
    x = p["wte.weight"][tokens] + p["wpe.weight"][:T].unsqueeze(0)
    for l in range(cfg["layers"]):
        pre = f"h.{l}."
        h = layernorm(x, p[pre + "ln_1.weight"], p.get(pre + "ln_1.bias"))
        qkv = F.linear(h, p[pre + "attn.c_attn.weight"], p.get(pre + "attn.c_attn.bias"))
        a = attention(cfg, p, pre, h, qkv)
        x = x + F.linear(a, p[pre + "attn.c_proj.weight"], p.get(pre + "attn.c_proj.bias"))
        h = layernorm(x, p[pre + "ln_2.weight"], p.get(pre + "ln_2.bias"))
        h = F.gelu(F.linear(h, p[pre + "mlp.c_fc.weight"], p.get(pre + "mlp.c_fc.bias")), approximate="tanh")
        x = x + F.linear(h, p[pre + "mlp.c_proj.weight"], p.get(pre + "mlp.c_proj.bias"))
    x = layernorm(x, p["ln_f.weight"], p.get("ln_f.bias"))
    logits = x @ p["wte.weight"].t()
    return F.cross_entropy(logits.reshape(B * T, -1), targets.reshape(-1).long())


def load_case(case, dtype):
    cfg = json.load(open(case["config"]))
    weights, _ = st_io.read(case["weights"])
    params = {k: v.to(dtype).clone().requires_grad_(True) for k, v in weights.items()}
    batch, _ = st_io.read(case["batch"])
    return cfg, params, batch["tokens"].long(), batch["targets"].long()


def run_grads(cases_path):
    for case in json.load(open(cases_path)):
        cfg, p, tokens, targets = load_case(case, torch.float64)
        loss = forward(cfg, p, tokens[0], targets[0])
        loss.backward()
        out = {"loss": loss.detach().reshape(1)}
        out.update({k: v.grad for k, v in p.items()})
        st_io.write(case["out"], {k: v.to(torch.float32) for k, v in out.items()})


def lr_at(step, lr, warmup, steps):
    """nanoGPT's schedule: linear warm-up, cosine decay to lr/10 at the last step."""
    min_lr = lr / 10
    if step < warmup:
        return lr * (step + 1) / (warmup + 1)
    if step >= steps:
        return min_lr
    ratio = (step - warmup) / max(1, steps - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def run_adamw(case_path):
    case = json.load(open(case_path))
    cfg, p, tokens, targets = load_case(case, torch.float32)
    h = case["hyper"]
    names = sorted(p)
    decay = [p[n] for n in names if p[n].dim() >= 2]
    no_decay = [p[n] for n in names if p[n].dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": h["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"], foreach=False)
    accum = h["grad_accum"]
    losses = []
    for step in range(h["steps"]):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, h["lr"], h["warmup"], h["steps"])
        opt.zero_grad()
        total = 0.0
        for micro in range(accum):
            i = step * accum + micro
            loss = forward(cfg, p, tokens[i], targets[i])
            (loss / accum).backward()
            total += loss.item() / accum
        torch.nn.utils.clip_grad_norm_([p[n] for n in names], h["grad_clip"])
        opt.step()
        losses.append(total)
    json.dump({"losses": losses}, open(case["out"], "w"))


if __name__ == "__main__":
    torch.set_num_threads(1)
    {"grads": run_grads, "adamw": run_adamw}[sys.argv[1]](sys.argv[2])
