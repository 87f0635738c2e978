#include "synth/synth_random.h"

#include <cmath>

namespace osc {
namespace {

// SplitMix64's output function: a bijective mix of a 64-bit counter.
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// The standard normal quantile Φ⁻¹(p), p in (0, 1), by P. J. Acklam's rational approximation
// (relative error < 1.15e-9). One uniform gives one normal, and the central 95% of draws need no
// transcendental function: a 7B checkpoint is ~7e9 draws, so this is most of synth's CPU time.
double normal_quantile(double p) {
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01,  -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549671010115149e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  auto tail = [&](double tail_p) {
    const double q = std::sqrt(-2.0 * std::log(tail_p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  };
  if (p < p_low) return tail(p);
  if (p > 1.0 - p_low) return -tail(1.0 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

// Element i's uniform: a 32-bit half of the hash of pair i / 2, mapped to the open interval (0, 1).
double uniform_of(uint64_t key, uint64_t element) {
  const uint64_t h = mix64(key + (element / 2 + 1) * 0x9e3779b97f4a7c15ULL);
  const uint64_t bits = (element % 2 == 0) ? (h >> 32) : (h & 0xffffffffULL);
  return (static_cast<double>(bits) + 0.5) * 0x1p-32;
}

}  // namespace

SynthNormal::SynthNormal(uint64_t seed, std::string_view tensor_name)
    : key_(mix64(seed ^ 0x5851f42d4c957f2dULL) ^ fnv1a(tensor_name)) {}

void SynthNormal::fill(int64_t first, int64_t count, float stddev, float* out) const {
#pragma omp parallel for schedule(static) if (count > 65536)
  for (int64_t k = 0; k < count; ++k)
    out[k] = stddev * static_cast<float>(normal_quantile(uniform_of(key_, static_cast<uint64_t>(first + k))));
}

}  // namespace osc
