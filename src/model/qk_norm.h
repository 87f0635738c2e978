// Per-head LayerNorm of queries and keys (Phi's qk_layernorm), applied after the projections and
// before RoPE, as HF PhiAttention does.
#pragma once
#include <cstdint>

#include "model/forward_context.h"

namespace osc {

// q [T, n_heads, d_head] and k [T, n_kv_heads, d_head] in place: each head's vector normalised
// with the layer's q_norm / k_norm [d_head] (weight and bias) and the config's norm_eps.
void apply_qk_norm(const ForwardContext& ctx, const AttentionWeights& w, float* q, float* k);

}  // namespace osc
