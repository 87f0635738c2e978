// ALiBi (Press et al. 2022): per-head linear biases added to attention logits instead of positions.
#pragma once
#include <cstdint>
#include <vector>

#include "core/model_config.h"
#include "kernels/attention.h"

namespace osc {

// Slopes [n_heads]: for a power-of-two head count 2^(-bias_max·(h+1)/n_heads); otherwise the
// slopes of the next power of two, odd positions first, then even ones (MPT's rule; Falcon's
// build_alibi_tensor gives the same slopes for bias_max 8).
std::vector<float> alibi_slopes(int64_t n_heads, double bias_max = 8.0);

// The slopes [n_heads] model `c` uses (empty unless it has ALiBi): Falcon-RW rounds them to bf16.
std::vector<float> model_alibi_slopes(const ModelConfig& c);

// Points `p` at `slopes` (from model_alibi_slopes) and places the bias as `c.alibi_style` says;
// reads p.scale, so set that first.
void use_model_alibi(const ModelConfig& c, const std::vector<float>& slopes, AttentionParams& p);

}  // namespace osc
