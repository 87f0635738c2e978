"""MPT in HF layout (MptForCausalLM, model_type "mpt"): ALiBi, fused Wqkv, no biases anywhere,
LayerNorm without bias, exact GELU MLP with expansion_ratio 4, lm_head tied to wte.

Followed: transformers src/transformers/models/mpt/modeling_mpt.py (build_mpt_alibi_tensor,
MptAttention, MptMLP, MptBlock) and configuration_mpt.py (MptAttentionConfig). Tensor names:
transformer.{wte, norm_f}, transformer.blocks.N.{norm_1, attn.Wqkv, attn.out_proj, norm_2,
ffn.up_proj, ffn.down_proj}, each a `.weight` only. Wqkv [3 d_model, d_model] rows q | k | v
(HF: mixed_qkv.chunk(3)). Scores: q.k * softmax_scale (default 1/sqrt(d_head)) + ALiBi bias,
slopes 2^-(alibi_bias_max * k / n_heads) (see attention.alibi_slopes); clip_qkv clamps the fused
projection when set.
"""
import math

from attention import alibi_slopes, causal_attention
from common import activation, hooked_layer_norm, linear


def make_config(arch, dims):
    return {
        "architectures": ["MptForCausalLM"],
        "model_type": "mpt",
        "vocab_size": dims["vocab"],
        "d_model": dims["d_model"],
        "n_heads": dims["n_heads"],
        "n_layers": dims["n_layers"],
        "expansion_ratio": 4,
        "max_seq_len": dims["max_positions"],
        "no_bias": True,
        "learned_pos_emb": True,  # MPT configs carry it; with alibi there is no wpe tensor
        "layer_norm_epsilon": 1e-5,
        "norm_type": "low_precision_layernorm",
        "logit_scale": None,
        "emb_pdrop": 0.0,
        "resid_pdrop": 0.0,
        "embedding_fraction": 1.0,
        "init_device": "cpu",
        "initializer_range": 0.02,
        "attn_config": {
            "alibi": True,
            "alibi_bias_max": 8,
            "attn_impl": "torch",
            "attn_pdrop": 0.0,
            "attn_type": "multihead_attention",
            "attn_uses_sequence_id": False,
            "clip_qkv": None,
            "prefix_lm": False,
            "qk_ln": False,
            "softmax_scale": None,
        },
        "tie_word_embeddings": True,
        "use_cache": True,
    }


def _d_ff(cfg):
    return int(cfg.get("expansion_ratio", 4) * cfg["d_model"])


def make_weights(cfg, maker):
    d, d_ff = cfg["d_model"], _d_ff(cfg)
    maker.embedding("transformer.wte.weight", (cfg["vocab_size"], d))
    for layer in range(cfg["n_layers"]):
        p = f"transformer.blocks.{layer}."
        maker.gain(p + "norm_1.weight", d)
        maker.matrix(p + "attn.Wqkv.weight", (3 * d, d))
        maker.matrix(p + "attn.out_proj.weight", (d, d))
        maker.gain(p + "norm_2.weight", d)
        maker.matrix(p + "ffn.up_proj.weight", (d_ff, d))
        maker.matrix(p + "ffn.down_proj.weight", (d, d_ff))
    maker.gain("transformer.norm_f.weight", d)


def forward(cfg, W, ids, hooks):
    attn_cfg = cfg["attn_config"]
    assert cfg["no_bias"] and attn_cfg["alibi"] and not attn_cfg.get("qk_ln") and not cfg.get("logit_scale"), \
        "reference covers bias-free ALiBi MPT without qk_ln or logit_scale"
    n_tokens, d, n_heads = ids.shape[0], cfg["d_model"], cfg["n_heads"]
    d_head, eps = d // n_heads, cfg["layer_norm_epsilon"]
    scale = attn_cfg.get("softmax_scale") or 1.0 / math.sqrt(d_head)
    clip = attn_cfg.get("clip_qkv")
    slopes = alibi_slopes(n_heads, attn_cfg.get("alibi_bias_max", 8))
    act = activation("gelu")
    x = hooks.rec("hook_embed", W["transformer.wte.weight"][ids])  # [T, d_model]
    for layer in range(cfg["n_layers"]):
        p, b = f"transformer.blocks.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        h = hooked_layer_norm(hooks, b + "ln1.hook_normalized", x, W[p + "norm_1.weight"], None, eps)
        fused = linear(h, W[p + "attn.Wqkv.weight"])  # [T, 3 d_model]
        if clip:
            fused = fused.clamp(-clip, clip)
        q, k, v = (t.reshape(n_tokens, n_heads, d_head) for t in fused.chunk(3, dim=-1))
        z = causal_attention(hooks, b + "attn.", q, k, v, scale, alibi=slopes)
        attn_out = hooks.rec(b + "hook_attn_out", linear(z, W[p + "attn.out_proj.weight"]))
        x = hooks.rec(b + "hook_resid_mid", x + attn_out)
        h2 = hooked_layer_norm(hooks, b + "ln2.hook_normalized", x, W[p + "norm_2.weight"], None, eps)
        pre = hooks.rec(b + "mlp.hook_pre", linear(h2, W[p + "ffn.up_proj.weight"]))
        post = hooks.rec(b + "mlp.hook_post", act(pre))
        mlp_out = hooks.rec(b + "hook_mlp_out", linear(post, W[p + "ffn.down_proj.weight"]))
        x = hooks.rec(b + "hook_resid_post", x + mlp_out)
    h = hooked_layer_norm(hooks, "ln_final.hook_normalized", x, W["transformer.norm_f.weight"], None, eps)
    return hooks.rec("hook_logits", linear(h, W["transformer.wte.weight"]))


def hook_summary(cfg):
    d, n_heads = cfg["d_model"], cfg["n_heads"]
    return {"n_layers": cfg["n_layers"], "d_model": d, "n_heads": n_heads, "n_kv_heads": n_heads,
            "d_head": d // n_heads, "d_ff": _d_ff(cfg), "vocab": cfg["vocab_size"], "rope": False,
            "learned_pos": False, "parallel": False, "has_ln2": True, "gated": False, "n_experts": 0}
