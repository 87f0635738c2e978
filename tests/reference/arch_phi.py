"""Phi-2 in HF layout (PhiForCausalLM, model_type "phi"): one LayerNorm feeding parallel attention
and MLP, partial rotary (the first int(partial_rotary_factor * d_head) dims of each head),
gelu_new, biases everywhere, untied lm_head with a bias. `phi2qk`: qk_layernorm true, i.e.
self_attn.q_layernorm / k_layernorm (nn.LayerNorm over d_head, eps layer_norm_eps) applied to each
head's q and k after the projections and before RoPE (PhiAttention.forward); hook_q / hook_k
record the normalised values.

Followed: transformers src/transformers/models/phi/modeling_phi.py (PhiAttention, PhiMLP,
PhiDecoderLayer, PhiModel) and configuration_phi.py. Tensor names: model.{embed_tokens,
final_layernorm}, model.layers.N.{input_layernorm, self_attn.{q,k,v}_proj, self_attn.dense,
mlp.fc1, mlp.fc2}, lm_head.{weight,bias}.
"""
import math

from attention import Rope, causal_attention, rope_inv_freq
from common import activation


def make_config(arch, dims):
    d = dims["d_model"]
    return {
        "architectures": ["PhiForCausalLM"],
        "model_type": "phi",
        "vocab_size": dims["vocab"],
        "hidden_size": d,
        "intermediate_size": 4 * d,
        "num_hidden_layers": dims["n_layers"],
        "num_attention_heads": dims["n_heads"],
        "num_key_value_heads": dims["n_heads"],
        "partial_rotary_factor": 0.4,  # d_head 16 -> int(6.4) = 6 rotary dims (even)
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "hidden_act": "gelu_new",
        "layer_norm_eps": 1e-5,
        "qk_layernorm": arch == "phi2qk",
        "max_position_embeddings": dims["max_positions"],
        "resid_pdrop": 0.1,
        "embd_pdrop": 0.0,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "use_cache": True,
    }


def _heads(cfg):
    n_heads = cfg["num_attention_heads"]
    return n_heads, cfg.get("num_key_value_heads") or n_heads, cfg["hidden_size"] // n_heads


def rotary_dims(cfg):
    return int(cfg.get("partial_rotary_factor", 0.5) * _heads(cfg)[2])


def make_weights(cfg, maker):
    d, d_ff, (n_heads, n_kv, d_head) = cfg["hidden_size"], cfg["intermediate_size"], _heads(cfg)
    maker.embedding("model.embed_tokens.weight", (cfg["vocab_size"], d))
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        maker.layer_norm(p + "input_layernorm", d)
        for name, n_in, n_out in (("self_attn.q_proj", d, n_heads * d_head), ("self_attn.k_proj", d, n_kv * d_head),
                                  ("self_attn.v_proj", d, n_kv * d_head), ("self_attn.dense", n_heads * d_head, d),
                                  ("mlp.fc1", d, d_ff), ("mlp.fc2", d_ff, d)):
            maker.matrix(p + f"{name}.weight", (n_out, n_in))
            maker.bias(p + f"{name}.bias", n_out)
        if cfg.get("qk_layernorm", False):
            for name in ("self_attn.q_layernorm", "self_attn.k_layernorm"):
                maker.gain(p + f"{name}.weight", d_head)
                maker.bias(p + f"{name}.bias", d_head, std=0.3)
    maker.layer_norm("model.final_layernorm", d)
    maker.matrix("lm_head.weight", (cfg["vocab_size"], d))
    maker.bias("lm_head.bias", cfg["vocab_size"])


def forward(cfg, W, ids, hooks):
    n_tokens, eps = ids.shape[0], cfg["layer_norm_eps"]
    n_heads, n_kv, d_head = _heads(cfg)
    act = activation(cfg["hidden_act"])
    rope = Rope(rope_inv_freq(rotary_dims(cfg), cfg.get("rope_theta", 10000.0), cfg.get("rope_scaling")),
                n_tokens, W.dtype)
    x = hooks.rec("hook_embed", W["model.embed_tokens.weight"][ids])  # [T, d_model]
    for layer in range(cfg["num_hidden_layers"]):
        p, b = f"model.layers.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        h = W.hooked_layer_norm(hooks, b + "ln1.hook_normalized", p + "input_layernorm", x, eps)
        q = W.linear(p + "self_attn.q_proj", h).view(n_tokens, n_heads, d_head)
        k = W.linear(p + "self_attn.k_proj", h).view(n_tokens, n_kv, d_head)
        v = W.linear(p + "self_attn.v_proj", h).view(n_tokens, n_kv, d_head)
        if cfg.get("qk_layernorm", False):
            q = W.layer_norm(p + "self_attn.q_layernorm", q, eps)
            k = W.layer_norm(p + "self_attn.k_layernorm", k, eps)
        z = causal_attention(hooks, b + "attn.", q, k, v, 1.0 / math.sqrt(d_head), rope=rope)
        attn_out = hooks.rec(b + "hook_attn_out", W.linear(p + "self_attn.dense", z))
        pre = hooks.rec(b + "mlp.hook_pre", W.linear(p + "mlp.fc1", h))
        post = hooks.rec(b + "mlp.hook_post", act(pre))
        mlp_out = hooks.rec(b + "hook_mlp_out", W.linear(p + "mlp.fc2", post))
        x = hooks.rec(b + "hook_resid_post", x + attn_out + mlp_out)
    h = W.hooked_layer_norm(hooks, "ln_final.hook_normalized", "model.final_layernorm", x, eps)
    return hooks.rec("hook_logits", W.linear("lm_head", h))


def hook_summary(cfg):
    n_heads, n_kv, d_head = _heads(cfg)
    return {"n_layers": cfg["num_hidden_layers"], "d_model": cfg["hidden_size"], "n_heads": n_heads,
            "n_kv_heads": n_kv, "d_head": d_head, "d_ff": cfg["intermediate_size"], "vocab": cfg["vocab_size"],
            "rope": True, "learned_pos": False, "parallel": True, "has_ln2": False, "gated": False,
            "n_experts": 0}
