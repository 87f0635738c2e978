// Normalisations, always in f32 with f64 accumulation of the statistics: the massive activations
// this project studies (|x| ~ 1e3-1e4) overflow f16 squares and lose digits in f32 sums.
#pragma once
#include <cstdint>

namespace osc {

// out[t, :] = x[t, :] / sqrt(mean(x[t, :]²) + eps) · weight   (x, out: [tokens, dim]; may alias)
void rms_norm(const float* x, int64_t tokens, int64_t dim, const float* weight, double eps, float* out);

// out[t, :] = (x[t, :] - mean) / sqrt(var + eps) · weight + bias, biased variance as PyTorch.
// weight or bias may be null (no scale / no shift). x and out may alias.
void layer_norm(const float* x, int64_t tokens, int64_t dim, const float* weight, const float* bias,
                double eps, float* out);

}  // namespace osc
