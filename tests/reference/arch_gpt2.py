"""GPT-2 in HF layout (GPT2LMHeadModel as saved by save_pretrained).

Followed: transformers src/transformers/models/gpt2/modeling_gpt2.py and pytorch_utils.Conv1D.
Tensor names: transformer.{wte, wpe, ln_f}, transformer.h.N.{ln_1, attn.c_attn, attn.c_proj, ln_2,
mlp.c_fc, mlp.c_proj}. Conv1D weights are stored [in, out] (y = x @ W + b); c_attn is fused
[d, 3d] with columns q | k | v, each split into heads as [n_heads, d_head]. Learned absolute
positions, pre-LayerNorm, gelu_new, lm_head tied to wte (so not stored). Note: the original
openai-community/gpt2 hub file was saved from GPT2Model (names without "transformer.") and also
carries the non-persistent attn.bias / attn.masked_bias mask buffers; loaders should accept both.
"""
import math

from attention import causal_attention
from common import activation, linear


def make_config(arch, dims):
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": dims["vocab"],
        "n_positions": dims["max_positions"],
        "n_ctx": dims["max_positions"],
        "n_embd": dims["d_model"],
        "n_layer": dims["n_layers"],
        "n_head": dims["n_heads"],
        "n_inner": None,
        "activation_function": "gelu_new",
        "resid_pdrop": 0.1,
        "embd_pdrop": 0.1,
        "attn_pdrop": 0.1,
        "layer_norm_epsilon": 1e-5,
        "initializer_range": 0.02,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        "tie_word_embeddings": True,
        "bos_token_id": dims["vocab"] - 1,
        "eos_token_id": dims["vocab"] - 1,
        "use_cache": True,
    }


def _d_ff(cfg):
    return cfg.get("n_inner") or 4 * cfg["n_embd"]


def make_weights(cfg, maker):
    d, d_ff = cfg["n_embd"], _d_ff(cfg)
    maker.embedding("transformer.wte.weight", (cfg["vocab_size"], d))
    maker.embedding("transformer.wpe.weight", (cfg["n_positions"], d), std=0.2)
    for layer in range(cfg["n_layer"]):
        p = f"transformer.h.{layer}."
        for ln in ("ln_1", "ln_2"):
            maker.layer_norm(p + ln, d)
        for name, n_in, n_out in (("attn.c_attn", d, 3 * d), ("attn.c_proj", d, d),
                                  ("mlp.c_fc", d, d_ff), ("mlp.c_proj", d_ff, d)):
            maker.matrix(p + f"{name}.weight", (n_in, n_out))
            maker.bias(p + f"{name}.bias", n_out)
    maker.layer_norm("transformer.ln_f", d)
    if not cfg.get("tie_word_embeddings", True):
        maker.matrix("lm_head.weight", (cfg["vocab_size"], d))


def forward(cfg, W, ids, hooks):
    n_tokens, d, n_heads = ids.shape[0], cfg["n_embd"], cfg["n_head"]
    d_head, eps = d // n_heads, cfg["layer_norm_epsilon"]
    act = activation(cfg["activation_function"])
    embed = hooks.rec("hook_embed", W["transformer.wte.weight"][ids])  # [T, d_model]
    pos = hooks.rec("hook_pos_embed", W["transformer.wpe.weight"][:n_tokens])
    x = embed + pos
    for layer in range(cfg["n_layer"]):
        p, b = f"transformer.h.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        h = W.hooked_layer_norm(hooks, b + "ln1.hook_normalized", p + "ln_1", x, eps)
        qkv = W.conv1d(p + "attn.c_attn", h)  # [T, 3d]
        q, k, v = (t.reshape(n_tokens, n_heads, d_head) for t in qkv.split(d, dim=-1))
        scale = 1.0 / math.sqrt(d_head) if cfg.get("scale_attn_weights", True) else 1.0
        if cfg.get("scale_attn_by_inverse_layer_idx", False):
            scale /= layer + 1
        z = causal_attention(hooks, b + "attn.", q, k, v, scale)
        attn_out = hooks.rec(b + "hook_attn_out", W.conv1d(p + "attn.c_proj", z))
        x = hooks.rec(b + "hook_resid_mid", x + attn_out)
        h2 = W.hooked_layer_norm(hooks, b + "ln2.hook_normalized", p + "ln_2", x, eps)
        pre = hooks.rec(b + "mlp.hook_pre", W.conv1d(p + "mlp.c_fc", h2))
        post = hooks.rec(b + "mlp.hook_post", act(pre))
        mlp_out = hooks.rec(b + "hook_mlp_out", W.conv1d(p + "mlp.c_proj", post))
        x = hooks.rec(b + "hook_resid_post", x + mlp_out)
    h = W.hooked_layer_norm(hooks, "ln_final.hook_normalized", "transformer.ln_f", x, eps)
    head = W["transformer.wte.weight"] if cfg.get("tie_word_embeddings", True) else W["lm_head.weight"]
    return hooks.rec("hook_logits", linear(h, head))


def hook_summary(cfg):
    d, n_heads = cfg["n_embd"], cfg["n_head"]
    return {"n_layers": cfg["n_layer"], "d_model": d, "n_heads": n_heads, "n_kv_heads": n_heads,
            "d_head": d // n_heads, "d_ff": _d_ff(cfg), "vocab": cfg["vocab_size"], "rope": False,
            "learned_pos": True, "parallel": False, "has_ln2": True, "gated": False, "n_experts": 0}
