#include "kernels/rope.h"

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "kernels/bf16_round.h"

namespace osc {
namespace {

// Llama 3.1's frequency-dependent scaling: long wavelengths are divided by `factor`, short ones kept,
// and the band between is interpolated smoothly (as in Meta's reference and HF's implementation).
double llama3_scale(double inv_freq, const RopeScaling& s) {
  const double old_ctx = static_cast<double>(s.original_max_position_embeddings);
  const double low_wavelen = old_ctx / s.low_freq_factor;
  const double high_wavelen = old_ctx / s.high_freq_factor;
  const double wavelen = 2.0 * std::numbers::pi / inv_freq;
  if (wavelen < high_wavelen) return inv_freq;
  if (wavelen > low_wavelen) return inv_freq / s.factor;
  const double smooth = (old_ctx / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
  return (1.0 - smooth) * inv_freq / s.factor + smooth * inv_freq;
}

}  // namespace

RopeParams rope_params_from_config(const ModelConfig& c) {
  RopeParams p;
  p.rotary_dims = c.rotary_dims();
  p.theta = c.rope_theta;
  p.interleaved = c.rope_interleaved;
  p.scaling = c.rope_scaling;
  return p;
}

std::vector<double> rope_inv_freq(const RopeParams& p) {
  if (p.rotary_dims <= 0 || p.rotary_dims % 2 != 0)
    throw_bad_input("rope", "rotary dimensions must be positive and even, got " + std::to_string(p.rotary_dims));
  std::vector<double> inv(static_cast<size_t>(p.rotary_dims / 2));
  for (size_t i = 0; i < inv.size(); ++i) {
    // In f64: HF's f32 angles drift by ~1e-5 rad at position 200; the references use f64.
    const double exponent = static_cast<double>(2 * i) / static_cast<double>(p.rotary_dims);
    double f = 1.0 / std::pow(p.theta, exponent);
    if (p.scaling.type == "linear") f /= p.scaling.factor;
    else if (p.scaling.type == "llama3") f = llama3_scale(f, p.scaling);
    inv[i] = f;
  }
  return inv;
}

namespace {

// One head's rotary dims v [d_head] rotated in a bf16 pass: cos_t / sin_t [rotary_dims / 2] are
// bf16 values, and each product and each sum is rounded.
void rotate_bf16(float* v, const float* cos_t, const float* sin_t, const RopeParams& p) {
  const int64_t half = p.rotary_dims / 2;
  for (int64_t i = 0; i < half; ++i) {
    const int64_t a = p.interleaved ? 2 * i : i;
    const int64_t b = p.interleaved ? 2 * i + 1 : i + half;
    const float xa = v[a], xb = v[b];
    v[a] = round_bf16(round_bf16(xa * cos_t[i]) - round_bf16(xb * sin_t[i]));
    v[b] = round_bf16(round_bf16(xb * cos_t[i]) + round_bf16(xa * sin_t[i]));
  }
}

}  // namespace

void apply_rope(float* x, int64_t tokens, int64_t heads, int64_t d_head, const RopeParams& p,
                int64_t first_position) {
  const std::vector<double> inv = rope_inv_freq(p);
  const int64_t half = p.rotary_dims / 2;
#pragma omp parallel for schedule(static) if (tokens * heads * d_head > 262144)
  for (int64_t t = 0; t < tokens; ++t) {
    std::vector<float> cos_t(static_cast<size_t>(half)), sin_t(static_cast<size_t>(half));
    for (int64_t i = 0; i < half; ++i) {
      const double angle = static_cast<double>(first_position + t) * inv[i];
      cos_t[i] = static_cast<float>(std::cos(angle));
      sin_t[i] = static_cast<float>(std::sin(angle));
    }
    if (p.round_bf16) {
      round_to_bf16(cos_t.data(), half);
      round_to_bf16(sin_t.data(), half);
      for (int64_t h = 0; h < heads; ++h) rotate_bf16(x + (t * heads + h) * d_head, cos_t.data(), sin_t.data(), p);
      continue;
    }
    for (int64_t h = 0; h < heads; ++h) {
      float* v = x + (t * heads + h) * d_head;
      for (int64_t i = 0; i < half; ++i) {
        const int64_t a = p.interleaved ? 2 * i : i;
        const int64_t b = p.interleaved ? 2 * i + 1 : i + half;
        const float xa = v[a], xb = v[b];
        v[a] = xa * cos_t[i] - xb * sin_t[i];
        v[b] = xb * cos_t[i] + xa * sin_t[i];
      }
    }
  }
}

}  // namespace osc
