"""GPT-NeoX / Pythia in HF layout (GPTNeoXForCausalLM, model_type "gpt_neox"): partial rotary
(rotary_pct of each head), parallel residual x + attn(ln1(x)) + mlp(ln2(x)), exact GELU, biases,
untied embed_out.

Followed: transformers src/transformers/models/gpt_neox/modeling_gpt_neox.py (GPTNeoXAttention,
GPTNeoXLayer) and configuration_gpt_neox.py. Tensor names: gpt_neox.{embed_in, final_layer_norm},
gpt_neox.layers.N.{input_layernorm, post_attention_layernorm, attention.query_key_value,
attention.dense, mlp.dense_h_to_4h, mlp.dense_4h_to_h}, embed_out. The fused query_key_value
[3 d_model, d_model] is interleaved per head: rows [h*3*d_head, (h*3+1)*d_head) are q of head h,
then k of head h, then v of head h (HF: view(..., n_heads, 3 * d_head) then split).
Old Pythia files also carry attention.bias / masked_bias / rotary_emb.inv_freq buffers; they are
not weights and are not written here.
"""
import math

from attention import Rope, causal_attention, rope_inv_freq
from common import activation, linear


def make_config(arch, dims):
    d = dims["d_model"]
    return {
        "architectures": ["GPTNeoXForCausalLM"],
        "model_type": "gpt_neox",
        "vocab_size": dims["vocab"],
        "hidden_size": d,
        "intermediate_size": 4 * d,
        "num_hidden_layers": dims["n_layers"],
        "num_attention_heads": dims["n_heads"],
        "rotary_pct": 0.25,  # d_head 16 -> 4 rotary dims
        "rotary_emb_base": 10000,
        "rope_scaling": None,
        "use_parallel_residual": True,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
        "attention_bias": True,
        "max_position_embeddings": dims["max_positions"],
        "attention_dropout": 0.0,
        "hidden_dropout": 0.0,
        "classifier_dropout": 0.1,
        "initializer_range": 0.02,
        "tie_word_embeddings": False,
        "bos_token_id": 0,
        "eos_token_id": 0,
        "use_cache": True,
    }


def _d_head(cfg):
    return cfg["hidden_size"] // cfg["num_attention_heads"]


def rotary_dims(cfg):
    return int(_d_head(cfg) * cfg.get("rotary_pct", 1.0))


def make_weights(cfg, maker):
    d, d_ff = cfg["hidden_size"], cfg["intermediate_size"]
    maker.embedding("gpt_neox.embed_in.weight", (cfg["vocab_size"], d))
    for layer in range(cfg["num_hidden_layers"]):
        p = f"gpt_neox.layers.{layer}."
        for ln in ("input_layernorm", "post_attention_layernorm"):
            maker.layer_norm(p + ln, d)
        for name, n_in, n_out in (("attention.query_key_value", d, 3 * d), ("attention.dense", d, d),
                                  ("mlp.dense_h_to_4h", d, d_ff), ("mlp.dense_4h_to_h", d_ff, d)):
            maker.matrix(p + f"{name}.weight", (n_out, n_in))
            maker.bias(p + f"{name}.bias", n_out)
    maker.layer_norm("gpt_neox.final_layer_norm", d)
    maker.matrix("embed_out.weight", (cfg["vocab_size"], d))


def forward(cfg, W, ids, hooks):
    assert cfg.get("attention_bias", True), "reference covers NeoX with attention biases"
    n_tokens, n_heads, d_head = ids.shape[0], cfg["num_attention_heads"], _d_head(cfg)
    eps, act = cfg["layer_norm_eps"], activation(cfg["hidden_act"])
    parallel = cfg.get("use_parallel_residual", True)
    theta = cfg.get("rope_theta", cfg.get("rotary_emb_base", 10000))
    rope = Rope(rope_inv_freq(rotary_dims(cfg), theta, cfg.get("rope_scaling")), n_tokens, W.dtype)
    x = hooks.rec("hook_embed", W["gpt_neox.embed_in.weight"][ids])  # [T, d_model]
    for layer in range(cfg["num_hidden_layers"]):
        p, b = f"gpt_neox.layers.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        h = W.hooked_layer_norm(hooks, b + "ln1.hook_normalized", p + "input_layernorm", x, eps)
        fused = W.linear(p + "attention.query_key_value", h).view(n_tokens, n_heads, 3 * d_head)
        q, k, v = fused.split(d_head, dim=-1)
        z = causal_attention(hooks, b + "attn.", q, k, v, 1.0 / math.sqrt(d_head), rope=rope)
        attn_out = hooks.rec(b + "hook_attn_out", W.linear(p + "attention.dense", z))
        if parallel:
            mlp_in = x  # both branches read resid_pre
        else:
            mlp_in = x = hooks.rec(b + "hook_resid_mid", x + attn_out)
        h2 = W.hooked_layer_norm(hooks, b + "ln2.hook_normalized", p + "post_attention_layernorm", mlp_in, eps)
        pre = hooks.rec(b + "mlp.hook_pre", W.linear(p + "mlp.dense_h_to_4h", h2))
        post = hooks.rec(b + "mlp.hook_post", act(pre))
        mlp_out = hooks.rec(b + "hook_mlp_out", W.linear(p + "mlp.dense_4h_to_h", post))
        x = x + attn_out + mlp_out if parallel else x + mlp_out
        hooks.rec(b + "hook_resid_post", x)
    h = W.hooked_layer_norm(hooks, "ln_final.hook_normalized", "gpt_neox.final_layer_norm", x, eps)
    head = W["gpt_neox.embed_in.weight"] if cfg.get("tie_word_embeddings", False) else W["embed_out.weight"]
    return hooks.rec("hook_logits", linear(h, head))


def hook_summary(cfg):
    n_heads = cfg["num_attention_heads"]
    return {"n_layers": cfg["num_hidden_layers"], "d_model": cfg["hidden_size"], "n_heads": n_heads,
            "n_kv_heads": n_heads, "d_head": _d_head(cfg), "d_ff": cfg["intermediate_size"],
            "vocab": cfg["vocab_size"], "rope": True, "learned_pos": False,
            "parallel": cfg.get("use_parallel_residual", True), "has_ln2": True, "gated": False,
            "n_experts": 0}
