// ALiBi (Press et al. 2022): per-head linear biases added to attention logits instead of positions.
#pragma once
#include <cstdint>
#include <vector>

namespace osc {

// Slopes [n_heads]: for a power-of-two head count 2^(-bias_max·(h+1)/n_heads); otherwise the
// slopes of the next power of two, odd positions first, then even ones (MPT's rule).
std::vector<float> alibi_slopes(int64_t n_heads, double bias_max = 8.0);

}  // namespace osc
