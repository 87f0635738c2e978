"""Positional schemes and the causal attention core shared by every architecture.

Shapes: q [T, n_heads, d_head], k/v [T, n_kv_heads, d_head]. Query head h reads kv head
h // (n_heads / n_kv_heads), as HF's repeat_kv (and Falcon-40B's grouped layout) do.
"""
import math

import torch

from common import mul_scalar


def default_inv_freq(rotary_dims, theta):
    """HF default RoPE: theta^(-2i/rotary_dims) for i < rotary_dims/2, in float64."""
    return 1.0 / (theta ** (torch.arange(0, rotary_dims, 2, dtype=torch.float64) / rotary_dims))


def llama3_inv_freq(rotary_dims, theta, scaling):
    """LLaMA-3.1 frequency scaling (HF _compute_llama3_parameters): wavelengths longer than
    original/low_freq_factor are divided by `factor`, shorter than original/high_freq_factor are
    kept, and the band in between is interpolated smoothly."""
    inv = default_inv_freq(rotary_dims, theta)
    factor = scaling["factor"]
    low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
    old_ctx = scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > old_ctx / low, inv / factor, inv)
    smooth = (old_ctx / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelen >= old_ctx / high) & (wavelen <= old_ctx / low)
    return torch.where(medium, smoothed, scaled)


def linear_scaled_inv_freq(rotary_dims, theta, scaling):
    return default_inv_freq(rotary_dims, theta) / scaling["factor"]


def rope_inv_freq(rotary_dims, theta, rope_scaling):
    if not rope_scaling:
        return default_inv_freq(rotary_dims, theta)
    kind = rope_scaling.get("rope_type", rope_scaling.get("type"))
    if kind == "llama3":
        return llama3_inv_freq(rotary_dims, theta, rope_scaling)
    if kind == "linear":
        return linear_scaled_inv_freq(rotary_dims, theta, rope_scaling)
    if kind == "default":
        return default_inv_freq(rotary_dims, theta)
    raise ValueError(f"unsupported rope_scaling {rope_scaling}")


class Rope:
    """rotate_half RoPE (HF/NeoX convention: pairs (x_i, x_{i+r/2})) applied to the first
    `rotary_dims` of each head; the rest passes through. Angles are computed in float64 and
    rounded once to the working dtype."""

    def __init__(self, inv_freq, n_tokens, dtype):
        angles = torch.arange(n_tokens, dtype=torch.float64)[:, None] * inv_freq[None, :]
        angles = torch.cat([angles, angles], dim=-1)  # [T, rotary_dims]
        self.cos = angles.cos().to(dtype)[:, None, :]  # [T, 1, rotary_dims]
        self.sin = angles.sin().to(dtype)[:, None, :]
        self.rotary_dims = angles.shape[-1]

    def apply(self, x):  # x [T, heads, d_head]
        r = self.rotary_dims
        rot, rest = x[..., :r], x[..., r:]
        half = r // 2
        rotated_half = torch.cat([-rot[..., half:], rot[..., :half]], dim=-1)
        return torch.cat([rot * self.cos + rotated_half * self.sin, rest], dim=-1)


def alibi_slopes(n_heads, bias_max):
    """MPT's ALiBi slopes (HF build_mpt_alibi_tensor): 2^-(bias_max * k / P) for k = 1..P with P
    the next power of two >= n_heads; for other head counts the even-k slopes come first, then
    the odd-k ones, cut to n_heads."""
    p = 2 ** math.ceil(math.log2(n_heads))
    slopes = [2.0 ** (-bias_max * k / p) for k in range(1, p + 1)]
    if p != n_heads:
        slopes = (slopes[1::2] + slopes[0::2])[:n_heads]
    return torch.tensor(slopes, dtype=torch.float64)


def causal_attention(hooks, prefix, q, k, v, scale, rope=None, sliding_window=None, alibi=None,
                     pre_scale_bias=None):
    """Records hook_q/k/v (+ rot_q/rot_k), hook_attn_scores, hook_pattern, hook_z under `prefix`
    ("blocks.{l}.attn.") and returns z flattened to [T, n_heads * d_head].

    ALiBi bias is slope_h * (j - i) for query i, key j (the ALiBi paper's form). HF MPT adds
    slope_h * (j - (T-1)) instead, which differs by a per-row constant: same pattern, different
    raw scores. `pre_scale_bias` (broadcast to [n_heads, T, T]) is added to q.k before the scale
    (Falcon-RW). Sliding window keeps keys with i - j < sliding_window (HF sliding_window_overlay:
    kv_idx > q_idx - sliding_window)."""
    n_tokens, n_heads, d_head = q.shape
    n_kv = k.shape[1]
    assert n_heads % n_kv == 0, "n_heads must be a multiple of n_kv_heads"
    hooks.rec(prefix + "hook_q", q)
    hooks.rec(prefix + "hook_k", k)
    hooks.rec(prefix + "hook_v", v)
    if rope is not None:
        q, k = rope.apply(q), rope.apply(k)
        hooks.rec(prefix + "hook_rot_q", q)
        hooks.rec(prefix + "hook_rot_k", k)
    group = n_heads // n_kv
    k_all = k.repeat_interleave(group, dim=1)  # [T, n_heads, d_head]
    v_all = v.repeat_interleave(group, dim=1)
    scores = torch.einsum("qhd,khd->hqk", q, k_all)  # [n_heads, T, T]
    if pre_scale_bias is not None:
        scores = scores + pre_scale_bias.to(scores.dtype)
    scores = mul_scalar(scores, scale)
    i = torch.arange(n_tokens)[:, None]
    j = torch.arange(n_tokens)[None, :]
    if alibi is not None:
        scores = scores + (alibi[:, None, None] * (j - i)[None]).to(scores.dtype)
    allowed = j <= i
    if sliding_window is not None:
        allowed = allowed & (i - j < sliding_window)
    scores = scores.masked_fill(~allowed[None], float("-inf"))
    # In f32, then cast back (HF LLaMA's eager attention; GPT-2's bf16 softmax computes the same).
    pattern = torch.softmax(scores.float(), dim=-1).to(scores.dtype)
    row_sums = pattern.float().sum(-1)
    atol = 1e-5 if pattern.dtype == torch.float32 else 1e-2  # bf16 probabilities: 2^-9 relative each
    assert torch.allclose(row_sums, torch.ones_like(row_sums), atol=atol), "pattern rows must sum to 1"
    z = torch.einsum("hqk,khd->qhd", pattern, v_all)  # [T, n_heads, d_head]
    hooks.rec(prefix + "hook_attn_scores", scores)
    hooks.rec(prefix + "hook_pattern", pattern)
    hooks.rec(prefix + "hook_z", z)
    return z.reshape(n_tokens, n_heads * d_head)
