"""OPT in HF layout (OPTForCausalLM as saved by save_pretrained), do_layer_norm_before=True.

Followed: transformers src/transformers/models/opt/modeling_opt.py (OPTLearnedPositionalEmbedding,
OPTAttention, OPTDecoderLayer). Tensor names: model.decoder.{embed_tokens, embed_positions,
final_layer_norm}, model.decoder.layers.N.{self_attn.{q,k,v,out}_proj, self_attn_layer_norm, fc1,
fc2, final_layer_norm}; lm_head tied to embed_tokens (not stored). Learned positions: the table has
max_position_embeddings + 2 rows and token t reads row t + 2 (the offset of 2 is a fairseq
legacy). word_embed_proj_dim == hidden_size, so there is no project_in/project_out. HF scales q
by d_head^-0.5 right after q_proj; hook_q here is the unscaled projection and the scale is
applied to the scores, which is the same product.
"""
import math

import torch

from attention import causal_attention
from common import activation, linear

POSITION_OFFSET = 2


def make_config(arch, dims):
    d = dims["d_model"]
    return {
        "architectures": ["OPTForCausalLM"],
        "model_type": "opt",
        "vocab_size": dims["vocab"],
        "hidden_size": d,
        "word_embed_proj_dim": d,
        "ffn_dim": 4 * d,
        "num_hidden_layers": dims["n_layers"],
        "num_attention_heads": dims["n_heads"],
        "max_position_embeddings": dims["max_positions"],
        "activation_function": "relu",
        "do_layer_norm_before": True,
        "_remove_final_layer_norm": False,
        "enable_bias": True,
        "layer_norm_elementwise_affine": True,
        "dropout": 0.1,
        "attention_dropout": 0.0,
        "activation_dropout": 0.0,
        "layerdrop": 0.0,
        "init_std": 0.02,
        "tie_word_embeddings": True,
        "pad_token_id": 1,
        "bos_token_id": 2,
        "eos_token_id": 2,
        "prefix": "</s>",
        "use_cache": True,
    }


def make_weights(cfg, maker):
    d, d_ff = cfg["hidden_size"], cfg["ffn_dim"]
    m = "model.decoder."
    maker.embedding(m + "embed_tokens.weight", (cfg["vocab_size"], d))
    maker.embedding(m + "embed_positions.weight", (cfg["max_position_embeddings"] + POSITION_OFFSET, d), std=0.2)
    for layer in range(cfg["num_hidden_layers"]):
        p = m + f"layers.{layer}."
        for ln in ("self_attn_layer_norm", "final_layer_norm"):
            maker.layer_norm(p + ln, d)
        for name, n_in, n_out in (("self_attn.q_proj", d, d), ("self_attn.k_proj", d, d),
                                  ("self_attn.v_proj", d, d), ("self_attn.out_proj", d, d),
                                  ("fc1", d, d_ff), ("fc2", d_ff, d)):
            maker.matrix(p + f"{name}.weight", (n_out, n_in))
            maker.bias(p + f"{name}.bias", n_out)
    maker.layer_norm(m + "final_layer_norm", d)


def forward(cfg, W, ids, hooks):
    assert cfg["do_layer_norm_before"] and cfg["word_embed_proj_dim"] == cfg["hidden_size"], \
        "reference covers the pre-norm OPT variant without embedding projections"
    n_tokens, d, n_heads = ids.shape[0], cfg["hidden_size"], cfg["num_attention_heads"]
    d_head, eps, m = d // n_heads, 1e-5, "model.decoder."  # nn.LayerNorm default eps
    act = activation(cfg["activation_function"])
    embed = hooks.rec("hook_embed", W[m + "embed_tokens.weight"][ids])  # [T, d_model]
    positions = torch.arange(n_tokens) + POSITION_OFFSET
    x = embed + hooks.rec("hook_pos_embed", W[m + "embed_positions.weight"][positions])
    for layer in range(cfg["num_hidden_layers"]):
        p, b = m + f"layers.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        h = W.hooked_layer_norm(hooks, b + "ln1.hook_normalized", p + "self_attn_layer_norm", x, eps)
        q, k, v = (W.linear(p + f"self_attn.{n}_proj", h).view(n_tokens, n_heads, d_head) for n in "qkv")
        z = causal_attention(hooks, b + "attn.", q, k, v, 1.0 / math.sqrt(d_head))
        attn_out = hooks.rec(b + "hook_attn_out", W.linear(p + "self_attn.out_proj", z))
        x = hooks.rec(b + "hook_resid_mid", x + attn_out)
        h2 = W.hooked_layer_norm(hooks, b + "ln2.hook_normalized", p + "final_layer_norm", x, eps)
        pre = hooks.rec(b + "mlp.hook_pre", W.linear(p + "fc1", h2))
        post = hooks.rec(b + "mlp.hook_post", act(pre))
        mlp_out = hooks.rec(b + "hook_mlp_out", W.linear(p + "fc2", post))
        x = hooks.rec(b + "hook_resid_post", x + mlp_out)
    h = W.hooked_layer_norm(hooks, "ln_final.hook_normalized", m + "final_layer_norm", x, eps)
    head = W[m + "embed_tokens.weight"] if cfg.get("tie_word_embeddings", True) else W["lm_head.weight"]
    return hooks.rec("hook_logits", linear(h, head))


def hook_summary(cfg):
    d, n_heads = cfg["hidden_size"], cfg["num_attention_heads"]
    return {"n_layers": cfg["num_hidden_layers"], "d_model": d, "n_heads": n_heads, "n_kv_heads": n_heads,
            "d_head": d // n_heads, "d_ff": cfg["ffn_dim"], "vocab": cfg["vocab_size"], "rope": False,
            "learned_pos": True, "parallel": False, "has_ln2": True, "gated": False, "n_experts": 0}
