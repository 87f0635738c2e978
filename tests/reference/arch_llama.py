"""LLaMA family in HF layout: LlamaForCausalLM (incl. LLaMA-3.1 rope scaling), Mistral (sliding
window), Mixtral (sparse MoE) and Qwen2 (q/k/v bias; `qwen2sw`: use_sliding_window with
max_window_layers, so only the later layers are windowed, as Qwen2Config.layer_types says).

Followed: transformers src/transformers/models/{llama,mistral,mixtral,qwen2}/modeling_*.py and
modeling_rope_utils.py (_compute_llama3_parameters), masking_utils.py (sliding_window_overlay).
Tensor names: model.embed_tokens, model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj,
post_attention_layernorm, mlp.{gate,up,down}_proj | block_sparse_moe.{gate, experts.E.w1/w2/w3}},
model.norm, lm_head (absent when tied). Linear weights are [out, in].
"""
import math

import torch

from attention import Rope, causal_attention, rope_inv_freq
from common import Hooks, activation, hooked_rms_norm, linear

ARCH_CLASSES = {
    "llama": "LlamaForCausalLM",
    "mistral": "MistralForCausalLM",
    "mixtral": "MixtralForCausalLM",
    "qwen2": "Qwen2ForCausalLM",
}


def make_config(arch, dims):
    model_type = {"llama3": "llama", "qwen2sw": "qwen2"}.get(arch, arch)
    d_head = dims["d_model"] // dims["n_heads"]
    cfg = {
        "architectures": [ARCH_CLASSES[model_type]],
        "model_type": model_type,
        "vocab_size": dims["vocab"],
        "hidden_size": dims["d_model"],
        "intermediate_size": 160,
        "num_hidden_layers": dims["n_layers"],
        "num_attention_heads": dims["n_heads"],
        "num_key_value_heads": dims["n_heads"] // 2 if dims["n_heads"] % 2 == 0 else dims["n_heads"],
        "head_dim": d_head,
        "max_position_embeddings": dims["max_positions"],
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "hidden_act": "silu",
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "use_cache": True,
    }
    if model_type == "llama":
        cfg.update({"attention_bias": False, "mlp_bias": False, "pretraining_tp": 1})
    if arch == "llama3":
        # original_max_position_embeddings 64 puts the smoothing band (wavelengths 16..64) inside
        # the head's frequency range at d_head 16, theta 5e5, so all three regimes occur.
        cfg.update({
            "rope_theta": 500000.0,
            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                             "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
            "tie_word_embeddings": True,  # as Llama-3.2 1B/3B
        })
    if model_type == "mistral":
        cfg.update({"sliding_window": 16, "rms_norm_eps": 1e-6})
    if model_type == "mixtral":
        cfg.update({"sliding_window": None, "rope_theta": 1000000.0, "num_local_experts": 4,
                    "num_experts_per_tok": 2, "intermediate_size": 96, "router_aux_loss_coef": 0.02,
                    "output_router_logits": False, "rms_norm_eps": 1e-5})
    if model_type == "qwen2":
        del cfg["head_dim"]  # Qwen2Config derives it from hidden_size / num_attention_heads
        cfg.update({"rope_theta": 1000000.0, "rms_norm_eps": 1e-6, "use_sliding_window": False,
                    "sliding_window": 32, "max_window_layers": dims["n_layers"],
                    "tie_word_embeddings": True})  # as Qwen2-0.5B/1.5B
    if arch == "qwen2sw":
        # Layer 0 keeps full attention, the later layers see the last 16 keys (T=200 uses it).
        cfg.update({"use_sliding_window": True, "sliding_window": 16, "max_window_layers": 1})
    return cfg


def _dims(cfg):
    n_heads = cfg["num_attention_heads"]
    d_head = cfg.get("head_dim") or cfg["hidden_size"] // n_heads
    return n_heads, cfg.get("num_key_value_heads") or n_heads, d_head


def _attention_biases(cfg):
    """Which of q/k/v/o projections carry a bias in this family."""
    if cfg["model_type"] == "qwen2":
        return {"q": True, "k": True, "v": True, "o": False}
    has = bool(cfg.get("attention_bias", False))
    return {"q": has, "k": has, "v": has, "o": has}


def make_weights(cfg, maker):
    d, n_heads, n_kv, d_head = cfg["hidden_size"], *_dims(cfg)
    d_ff, biases = cfg["intermediate_size"], _attention_biases(cfg)
    maker.embedding("model.embed_tokens.weight", (cfg["vocab_size"], d))
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        maker.gain(p + "input_layernorm.weight", d)
        for proj, rows in (("q", n_heads * d_head), ("k", n_kv * d_head), ("v", n_kv * d_head)):
            maker.matrix(p + f"self_attn.{proj}_proj.weight", (rows, d))
            if biases[proj]:
                maker.bias(p + f"self_attn.{proj}_proj.bias", rows, std=0.2)
        maker.matrix(p + "self_attn.o_proj.weight", (d, n_heads * d_head))
        if biases["o"]:
            maker.bias(p + "self_attn.o_proj.bias", d)
        maker.gain(p + "post_attention_layernorm.weight", d)
        if cfg["model_type"] == "mixtral":
            maker.matrix(p + "block_sparse_moe.gate.weight", (cfg["num_local_experts"], d), std=0.3)
            for e in range(cfg["num_local_experts"]):
                q = p + f"block_sparse_moe.experts.{e}."
                maker.matrix(q + "w1.weight", (d_ff, d))
                maker.matrix(q + "w2.weight", (d, d_ff))
                maker.matrix(q + "w3.weight", (d_ff, d))
        else:
            maker.matrix(p + "mlp.gate_proj.weight", (d_ff, d))
            maker.matrix(p + "mlp.up_proj.weight", (d_ff, d))
            maker.matrix(p + "mlp.down_proj.weight", (d, d_ff))
    maker.gain("model.norm.weight", d)
    if not cfg.get("tie_word_embeddings", False):
        maker.matrix("lm_head.weight", (cfg["vocab_size"], d))


def _qwen2_layer_types(cfg):
    """Qwen2Config: sliding_window is kept only with use_sliding_window (default 4096); layer_types
    defaults to sliding_attention for layers at index >= max_window_layers (default 28)."""
    window = cfg.get("sliding_window", 4096) if cfg.get("use_sliding_window", False) else None
    types = cfg.get("layer_types") or [
        "sliding_attention" if window is not None and i >= cfg.get("max_window_layers", 28) else "full_attention"
        for i in range(cfg["num_hidden_layers"])]
    return window, types


def _sliding_window(cfg, layer):
    if cfg["model_type"] == "qwen2":
        window, types = _qwen2_layer_types(cfg)
        return window if types[layer] == "sliding_attention" else None
    if cfg["model_type"] in ("mistral", "mixtral"):
        return cfg.get("sliding_window")
    return None


def _gated_mlp(hooks, prefix, x, gate_w, up_w, down_w, act):
    gate = linear(x, gate_w)  # [T, d_ff]
    up = linear(x, up_w)
    post = act(gate) * up
    if hooks is not None:
        hooks.rec(prefix + "hook_pre", gate)
        hooks.rec(prefix + "hook_pre_linear", up)
        hooks.rec(prefix + "hook_post", post)
    return linear(post, down_w)


def _moe(hooks, prefix, x, W, p, cfg, act):
    """Mixtral sparse MoE: softmax over all router logits, keep the top-k, renormalise them to sum
    to 1, and mix the chosen experts' SwiGLU outputs. Hooks (outlierscope's convention, docs/hooks.md):
    experts.{e}.hook_pre / hook_pre_linear / hook_post [T, d_ff] with zero rows for the tokens not
    routed to expert e, and mlp.hook_post [T, n_experts * d_ff], the experts' hook_post side by side."""
    n_experts, top_k = cfg["num_local_experts"], cfg["num_experts_per_tok"]
    logits = linear(x, W[p + "block_sparse_moe.gate.weight"])  # [T, n_experts]
    probs = torch.softmax(logits.float(), dim=-1)  # HF: softmax(..., dtype=torch.float)
    top_w, top_i = probs.topk(top_k, dim=-1)
    top_w = top_w / top_w.sum(-1, keepdim=True)
    dense = torch.zeros_like(probs).scatter(1, top_i, top_w).to(x.dtype)  # [T, n_experts]
    hooks.rec(prefix + "hook_router_logits", logits)
    hooks.rec(prefix + "hook_expert_weights", dense)
    out = torch.zeros_like(x)
    posts = []
    for e in range(n_experts):
        q = p + f"block_sparse_moe.experts.{e}."
        routed = (dense[:, e:e + 1] != 0).to(x.dtype)  # [T, 1]
        expert_hooks = Hooks()
        expert = _gated_mlp(expert_hooks, "", x, W[q + "w1.weight"], W[q + "w3.weight"], W[q + "w2.weight"], act)
        for name, value in expert_hooks.values.items():
            hooks.rec(prefix + f"experts.{e}." + name, value * routed)
        posts.append(expert_hooks.values["hook_post"] * routed)
        out = out + dense[:, e:e + 1] * expert
    hooks.rec(prefix + "hook_post", torch.cat(posts, dim=1))
    sorted_logits = logits.sort(dim=-1, descending=True).values
    gap = float((sorted_logits[:, top_k - 1] - sorted_logits[:, top_k]).min())
    hooks.notes["min_router_gap"] = min(hooks.notes.get("min_router_gap", math.inf), gap)
    return out


def forward(cfg, W, ids, hooks):
    """ids: LongTensor [T]; W: common.Checkpoint; records every hook and returns logits [T, vocab]."""
    n_tokens = ids.shape[0]
    n_heads, n_kv, d_head = _dims(cfg)
    eps, act = cfg["rms_norm_eps"], activation(cfg.get("hidden_act", "silu"))
    biases = _attention_biases(cfg)
    rope = Rope(rope_inv_freq(d_head, cfg.get("rope_theta", 10000.0), cfg.get("rope_scaling")),
                n_tokens, W.dtype)
    x = hooks.rec("hook_embed", W["model.embed_tokens.weight"][ids])  # [T, d_model]
    for layer in range(cfg["num_hidden_layers"]):
        p, b = f"model.layers.{layer}.", f"blocks.{layer}."
        hooks.rec(b + "hook_resid_pre", x)
        h = hooked_rms_norm(hooks, b + "ln1.hook_normalized", x, W[p + "input_layernorm.weight"], eps)

        def proj(name, heads):
            w = W[p + f"self_attn.{name}_proj.weight"]
            bias = W[p + f"self_attn.{name}_proj.bias"] if biases[name] else None
            return linear(h, w, bias).view(n_tokens, heads, d_head)

        z = causal_attention(hooks, b + "attn.", proj("q", n_heads), proj("k", n_kv), proj("v", n_kv),
                             1.0 / math.sqrt(d_head), rope=rope, sliding_window=_sliding_window(cfg, layer))
        o_bias = W[p + "self_attn.o_proj.bias"] if biases["o"] else None
        attn_out = hooks.rec(b + "hook_attn_out", linear(z, W[p + "self_attn.o_proj.weight"], o_bias))
        x = hooks.rec(b + "hook_resid_mid", x + attn_out)
        h2 = hooked_rms_norm(hooks, b + "ln2.hook_normalized", x, W[p + "post_attention_layernorm.weight"], eps)
        if cfg["model_type"] == "mixtral":
            mlp_out = _moe(hooks, b + "mlp.", h2, W, p, cfg, act)
        else:
            mlp_out = _gated_mlp(hooks, b + "mlp.", h2, W[p + "mlp.gate_proj.weight"],
                                 W[p + "mlp.up_proj.weight"], W[p + "mlp.down_proj.weight"], act)
        hooks.rec(b + "hook_mlp_out", mlp_out)
        x = hooks.rec(b + "hook_resid_post", x + mlp_out)
    h = hooked_rms_norm(hooks, "ln_final.hook_normalized", x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else W["lm_head.weight"]
    return hooks.rec("hook_logits", linear(h, head))


def hook_summary(cfg):
    n_heads, n_kv, d_head = _dims(cfg)
    return {"n_layers": cfg["num_hidden_layers"], "d_model": cfg["hidden_size"], "n_heads": n_heads,
            "n_kv_heads": n_kv, "d_head": d_head, "d_ff": cfg["intermediate_size"],
            "vocab": cfg["vocab_size"], "rope": True, "learned_pos": False, "parallel": False,
            "has_ln2": True, "gated": True, "n_experts": cfg.get("num_local_experts", 0)}
