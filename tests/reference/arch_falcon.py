"""Falcon in HF layout (FalconForCausalLM, model_type "falcon"). `falcon7b`: rotary,
new_decoder_architecture false, multi_query (one kv head), one input_layernorm feeding parallel
attention and MLP. `falcon40b`: rotary, new_decoder_architecture true, num_kv_heads groups, separate
ln_attn / ln_mlp. `falconrw` (Falcon-RW 1B/7B): ALiBi, sequential blocks (input_layernorm, then
post_attention_layernorm), one kv head per query head, biases on every projection.

Followed: transformers src/transformers/models/falcon/modeling_falcon.py (FalconAttention._split_heads
and its eager forward, build_alibi_tensor, FalconDecoderLayer) and configuration_falcon.py.
ALiBi as HF builds it: slopes from the closest power of two below n_heads (plus odd powers of the
next one), rounded to bf16, times the key position j, the product again in bf16; the bias is added
to q.k and the sum multiplied by 1/sqrt(d_head) (attention_logits = (scores + alibi) * inv_norm_factor). Tensor names: transformer.{word_embeddings, ln_f},
transformer.h.N.{input_layernorm | ln_attn + ln_mlp, self_attention.query_key_value,
self_attention.dense, mlp.dense_h_to_4h, mlp.dense_4h_to_h}; lm_head tied (not stored).
Fused query_key_value weight [rows, d_model], rows in head_dim blocks:
  multi_query: [q_0 .. q_{H-1}, k, v]                       ((H + 2) * d_head rows)
  new arch:    per kv group g: [q_{g*r} .. q_{g*r+r-1}, k_g, v_g], r = H / n_kv
                                                             ((H + 2 * n_kv) * d_head rows)
  neither (falconrw): per head h: [q_h, k_h, v_h]              (3 * H * d_head rows)
MLP: dense_h_to_4h (4 * d_model), exact GELU, dense_4h_to_h; bias false (7b/40b) or true (rw); the
LayerNorms always have one.
"""
import math

import torch

from attention import Rope, causal_attention, rope_inv_freq
from common import activation, linear


def make_config(arch, dims):
    if arch == "falconrw":
        return make_rw_config(dims)
    new_arch = arch == "falcon40b"
    return {
        "architectures": ["FalconForCausalLM"],
        "model_type": "falcon",
        "vocab_size": dims["vocab"],
        "hidden_size": dims["d_model"],
        "num_hidden_layers": dims["n_layers"],
        "num_attention_heads": dims["n_heads"],
        # save_pretrained writes num_kv_heads = num_attention_heads when unset; multi_query
        # overrides it to one kv head unless new_decoder_architecture is on.
        "num_kv_heads": (2 if dims["n_heads"] % 2 == 0 else 1) if new_arch else dims["n_heads"],
        "new_decoder_architecture": new_arch,
        "num_ln_in_parallel_attn": 2 if new_arch else None,
        "multi_query": True,
        "parallel_attn": True,
        "bias": False,
        "alibi": False,
        "apply_residual_connection_post_layernorm": False,
        "layer_norm_epsilon": 1e-5,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "max_position_embeddings": dims["max_positions"],
        "ffn_hidden_size": 4 * dims["d_model"],
        "activation": "gelu",
        "hidden_dropout": 0.0,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "tie_word_embeddings": True,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "use_cache": True,
    }


def make_rw_config(dims):
    """tiiuae/falcon-rw-1b's config.json keys (model_type RefinedWebModel there; "falcon" here)."""
    return {
        "architectures": ["FalconForCausalLM"],
        "model_type": "falcon",
        "vocab_size": dims["vocab"],
        "hidden_size": dims["d_model"],
        "num_hidden_layers": dims["n_layers"],
        "num_attention_heads": dims["n_heads"],
        "multi_query": False,
        "new_decoder_architecture": False,
        "parallel_attn": False,
        "alibi": True,
        "bias": True,
        "apply_residual_connection_post_layernorm": False,
        "layer_norm_epsilon": 1e-5,
        "max_position_embeddings": dims["max_positions"],
        "activation": "gelu",
        "hidden_dropout": 0.0,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "tie_word_embeddings": True,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "use_cache": True,
    }


def build_alibi(n_heads, n_tokens):
    """HF build_alibi_tensor for an all-ones attention mask: [n_heads, 1, T] in bf16, widened."""
    closest = 2 ** math.floor(math.log2(n_heads))
    base = torch.tensor(2 ** (-(2 ** -(math.log2(closest) - 3))), dtype=torch.float32)
    slopes = torch.pow(base, torch.arange(1, 1 + closest, dtype=torch.int32))
    if closest != n_heads:
        extra_base = torch.tensor(2 ** (-(2 ** -(math.log2(2 * closest) - 3))), dtype=torch.float32)
        remaining = min(closest, n_heads - closest)
        slopes = torch.cat([slopes, torch.pow(extra_base, torch.arange(1, 1 + 2 * remaining, 2, dtype=torch.int32))])
    positions = torch.arange(n_tokens)[None, None, :]  # (cumsum(mask) - 1) * mask
    alibi = slopes[:, None, None].bfloat16() * positions  # bf16 product, as HF
    return alibi.float()


def _heads(cfg):
    """(n_heads, n_kv_heads, d_head) as FalconAttention computes them."""
    n_heads = cfg["num_attention_heads"]
    if cfg["new_decoder_architecture"]:
        n_kv = cfg["num_kv_heads"]
    else:
        n_kv = 1 if cfg["multi_query"] else n_heads
    return n_heads, n_kv, cfg["hidden_size"] // n_heads


def _two_norms(cfg):
    return cfg["new_decoder_architecture"] and (cfg.get("num_ln_in_parallel_attn") or 2) == 2


def _norm_names(cfg):
    if _two_norms(cfg):
        return ("ln_attn", "ln_mlp")
    return ("input_layernorm",) if cfg["parallel_attn"] else ("input_layernorm", "post_attention_layernorm")


def make_weights(cfg, maker):
    d, (n_heads, n_kv, d_head) = cfg["hidden_size"], _heads(cfg)
    d_ff = cfg.get("ffn_hidden_size") or 4 * d
    maker.embedding("transformer.word_embeddings.weight", (cfg["vocab_size"], d))
    for layer in range(cfg["num_hidden_layers"]):
        p = f"transformer.h.{layer}."
        for ln in _norm_names(cfg):
            maker.layer_norm(p + ln, d)
        qkv_rows = (n_heads + 2 * n_kv) * d_head
        maker.matrix(p + "self_attention.query_key_value.weight", (qkv_rows, d))
        maker.matrix(p + "self_attention.dense.weight", (d, d))
        maker.matrix(p + "mlp.dense_h_to_4h.weight", (d_ff, d))
        maker.matrix(p + "mlp.dense_4h_to_h.weight", (d, d_ff))
        if cfg["bias"]:
            for name, n in (("self_attention.query_key_value", qkv_rows), ("self_attention.dense", d),
                            ("mlp.dense_h_to_4h", d_ff), ("mlp.dense_4h_to_h", d)):
                maker.bias(p + f"{name}.bias", n)
    maker.layer_norm("transformer.ln_f", d)


def split_fused_qkv(fused, cfg):
    """fused [T, rows] -> q [T, H, d_head], k/v [T, n_kv, d_head] (layouts in the module doc)."""
    n_tokens = fused.shape[0]
    n_heads, n_kv, d_head = _heads(cfg)
    if cfg["new_decoder_architecture"]:
        groups = fused.view(n_tokens, n_kv, n_heads // n_kv + 2, d_head)
        q = groups[:, :, :-2].reshape(n_tokens, n_heads, d_head)
        return q, groups[:, :, -2], groups[:, :, -1]
    if cfg["multi_query"]:
        heads = fused.view(n_tokens, n_heads + 2, d_head)
        return heads[:, :-2], heads[:, -2:-1], heads[:, -1:]
    heads = fused.view(n_tokens, n_heads, 3, d_head)
    return heads[:, :, 0], heads[:, :, 1], heads[:, :, 2]


def forward(cfg, W, ids, hooks):
    if cfg["alibi"]:
        return forward_rw(cfg, W, ids, hooks)
    assert cfg["parallel_attn"] and not cfg["bias"] \
        and not cfg.get("apply_residual_connection_post_layernorm", False), \
        "reference covers the rotary, parallel-attention, bias-free Falcon variants and Falcon-RW"
    n_tokens, eps = ids.shape[0], cfg["layer_norm_epsilon"]
    n_heads, n_kv, d_head = _heads(cfg)
    act = activation(cfg.get("activation", "gelu"))
    rope = Rope(rope_inv_freq(d_head, cfg.get("rope_theta", 10000.0), cfg.get("rope_scaling")), n_tokens, W.dtype)
    x = hooks.rec("hook_embed", W["transformer.word_embeddings.weight"][ids])  # [T, d_model]
    for layer in range(cfg["num_hidden_layers"]):
        p, b = f"transformer.h.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        if _two_norms(cfg):
            h_attn = W.hooked_layer_norm(hooks, b + "ln1.hook_normalized", p + "ln_attn", x, eps)
            h_mlp = W.hooked_layer_norm(hooks, b + "ln2.hook_normalized", p + "ln_mlp", x, eps)
        else:
            h_attn = h_mlp = W.hooked_layer_norm(hooks, b + "ln1.hook_normalized", p + "input_layernorm", x, eps)
        fused = linear(h_attn, W[p + "self_attention.query_key_value.weight"])
        q, k, v = split_fused_qkv(fused, cfg)
        z = causal_attention(hooks, b + "attn.", q, k, v, 1.0 / math.sqrt(d_head), rope=rope)
        attn_out = hooks.rec(b + "hook_attn_out", linear(z, W[p + "self_attention.dense.weight"]))
        pre = hooks.rec(b + "mlp.hook_pre", linear(h_mlp, W[p + "mlp.dense_h_to_4h.weight"]))
        post = hooks.rec(b + "mlp.hook_post", act(pre))
        mlp_out = hooks.rec(b + "hook_mlp_out", linear(post, W[p + "mlp.dense_4h_to_h.weight"]))
        x = hooks.rec(b + "hook_resid_post", x + attn_out + mlp_out)
    h = W.hooked_layer_norm(hooks, "ln_final.hook_normalized", "transformer.ln_f", x, eps)
    head = W["transformer.word_embeddings.weight"] if cfg.get("tie_word_embeddings", True) else W["lm_head.weight"]
    return hooks.rec("hook_logits", linear(h, head))


def forward_rw(cfg, W, ids, hooks):
    """Falcon-RW: FalconDecoderLayer with parallel_attn false and alibi true."""
    assert not cfg["parallel_attn"] and not cfg["new_decoder_architecture"] and not cfg["multi_query"] \
        and not cfg.get("apply_residual_connection_post_layernorm", False), "reference covers Falcon-RW's layout"
    n_tokens, eps = ids.shape[0], cfg["layer_norm_epsilon"]
    n_heads, _, d_head = _heads(cfg)
    act = activation(cfg.get("activation", "gelu"))
    alibi = build_alibi(n_heads, n_tokens)  # [H, 1, T]: one bias per key position
    x = hooks.rec("hook_embed", W["transformer.word_embeddings.weight"][ids])  # [T, d_model]
    for layer in range(cfg["num_hidden_layers"]):
        p, b = f"transformer.h.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        h = W.hooked_layer_norm(hooks, b + "ln1.hook_normalized", p + "input_layernorm", x, eps)
        q, k, v = split_fused_qkv(W.linear(p + "self_attention.query_key_value", h), cfg)
        z = causal_attention(hooks, b + "attn.", q, k, v, 1.0 / math.sqrt(d_head), pre_scale_bias=alibi)
        attn_out = hooks.rec(b + "hook_attn_out", W.linear(p + "self_attention.dense", z))
        x = hooks.rec(b + "hook_resid_mid", x + attn_out)
        h2 = W.hooked_layer_norm(hooks, b + "ln2.hook_normalized", p + "post_attention_layernorm", x, eps)
        pre = hooks.rec(b + "mlp.hook_pre", W.linear(p + "mlp.dense_h_to_4h", h2))
        post = hooks.rec(b + "mlp.hook_post", act(pre))
        mlp_out = hooks.rec(b + "hook_mlp_out", W.linear(p + "mlp.dense_4h_to_h", post))
        x = hooks.rec(b + "hook_resid_post", x + mlp_out)
    h = W.hooked_layer_norm(hooks, "ln_final.hook_normalized", "transformer.ln_f", x, eps)
    return hooks.rec("hook_logits", linear(h, W["transformer.word_embeddings.weight"]))


def hook_summary(cfg):
    n_heads, n_kv, d_head = _heads(cfg)
    return {"n_layers": cfg["num_hidden_layers"], "d_model": cfg["hidden_size"], "n_heads": n_heads,
            "n_kv_heads": n_kv, "d_head": d_head, "d_ff": cfg.get("ffn_hidden_size") or 4 * cfg["hidden_size"],
            "vocab": cfg["vocab_size"], "rope": not cfg["alibi"], "learned_pos": False,
            "parallel": cfg["parallel_attn"], "has_ln2": _two_norms(cfg) or not cfg["parallel_attn"],
            "gated": False, "n_experts": 0}
