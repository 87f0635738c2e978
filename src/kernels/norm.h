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

// x[t, i] = x[t, i] · weight[i] + bias[i] in place (weight or bias may be null): a norm's affine
// part, for callers that look at the normalised value first (hook_normalized). With a null weight
// and bias above, the two steps give exactly the one-step results.
void norm_scale_shift(float* x, int64_t tokens, int64_t dim, const float* weight, const float* bias);

}  // namespace osc
