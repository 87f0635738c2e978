#include "kernels/activation.h"

#include <cmath>

namespace osc {
namespace {

inline float silu(float x) { return x / (1.0f + std::exp(-x)); }
inline float gelu_erf(float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); }
inline float gelu_tanh(float x) {
  // PyTorch's approximate="tanh": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  const float k = 0.79788456080286536f;
  return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
}

}  // namespace

float activation_value(Activation act, float x) {
  switch (act) {
    case Activation::SiLU: return silu(x);
    case Activation::GELU: return gelu_erf(x);
    case Activation::GELUTanh: return gelu_tanh(x);
    case Activation::ReLU: return x > 0.0f ? x : 0.0f;
  }
  return x;
}

void apply_activation(Activation act, float* x, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) x[i] = activation_value(act, x[i]);
}

void apply_gated_activation(Activation act, float* x, const float* other, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) x[i] = activation_value(act, x[i]) * other[i];
}

}  // namespace osc
