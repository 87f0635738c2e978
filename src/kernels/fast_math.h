// Branch-free exp, tanh and erfc that GCC vectorizes (std::exp / std::tanh stay scalar calls without
// -ffast-math), and a row max that it vectorizes too. exp: Cephes' expf polynomial after range reduction x = n ln2 + r, |error| about
// 1 ulp for x in [-87, 88]; results outside that range are clamped to exp(-87) / exp(88).
#pragma once
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace osc {

inline float fast_exp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low bits
  const float t = x * 1.44269504088896341f + shifter;
  const float n = t - shifter;
  const int32_t e = std::bit_cast<int32_t>(t) - std::bit_cast<int32_t>(shifter);
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;  // ln2 split into hi + lo parts
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  return y * std::bit_cast<float>((e + 127) << 23);
}

inline float fast_tanh(float x) { return 1.0f - 2.0f / (1.0f + fast_exp(2.0f * x)); }

// Max of x[0..n), n >= 1, over 16 independent lanes: a plain max reduction (also under
// `omp simd reduction(max)`) stays scalar in GCC 12 without -ffast-math. Exact, like std::max.
inline float row_max(const float* x, int64_t n) {
  constexpr int64_t kLanes = 16;
  float lanes[kLanes];
  std::fill(lanes, lanes + kLanes, x[0]);
  int64_t c = 0;
  for (; c + kLanes <= n; c += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lanes[j] = x[c + j] > lanes[j] ? x[c + j] : lanes[j];
  float m = x[0];
  for (; c < n; ++c) m = std::max(m, x[c]);
  for (float v : lanes) m = std::max(m, v);
  return m;
}

// erfc by the Chebyshev fit of Numerical Recipes (erfcc): relative error below 1.2e-7 for every
// x, so erf-GELU keeps f32 accuracy in the far negative tail, where 1 + erf(x) is tiny.
inline float fast_erfc(float x) {
  const float z = std::abs(x);
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  const float r = t * fast_exp(p - z * z);
  return x >= 0.0f ? r : 2.0f - r;
}

}  // namespace osc
