#include "kernels/activation.h"

#include <cmath>

#include "kernels/bf16_round.h"
#include "kernels/fast_math.h"

namespace osc {
namespace {

inline float silu(float x) { return x / (1.0f + fast_exp(-x)); }
// 0.5·x·(1 + erf(x/√2)) written with erfc, which stays accurate where 1 + erf(x/√2) is tiny.
inline float gelu_erf(float x) { return 0.5f * x * fast_erfc(-x * 0.70710678118654752f); }
// PyTorch's approximate="tanh": 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), written as
// x·σ(2u) = x / (1 + e^(-2u)), which avoids 1 + tanh(u) cancelling for negative u.
inline float gelu_tanh(float x) {
  const float k = 0.79788456080286536f;
  return x / (1.0f + fast_exp(-2.0f * k * (x + 0.044715f * x * x * x)));
}
inline float relu(float x) { return x > 0.0f ? x : 0.0f; }

// Above this many elements the pass is split across threads.
constexpr int64_t kParallelElements = 65536;

// x[i] = f(x[i]) · (other ? other[i] : 1). One loop per activation, so each vectorizes (f is a
// lambda, never a function pointer, so that it is inlined).
template <typename F>
void apply(F f, float* x, const float* other, int64_t n) {
  if (other) {
#pragma omp parallel for simd schedule(static) if (n > kParallelElements)
    for (int64_t i = 0; i < n; ++i) x[i] = f(x[i]) * other[i];
  } else {
#pragma omp parallel for simd schedule(static) if (n > kParallelElements)
    for (int64_t i = 0; i < n; ++i) x[i] = f(x[i]);
  }
}

void dispatch(Activation act, float* x, const float* other, int64_t n) {
  switch (act) {
    case Activation::SiLU: return apply([](float v) { return silu(v); }, x, other, n);
    case Activation::GELU: return apply([](float v) { return gelu_erf(v); }, x, other, n);
    case Activation::GELUTanh: return apply([](float v) { return gelu_tanh(v); }, x, other, n);
    case Activation::ReLU: return apply([](float v) { return relu(v); }, x, other, n);
  }
}

// NewGELUActivation on a bf16 tensor: every operation's result rounded to bf16; torch.pow(x, 3.0)
// is x * x * x in bf16 (two roundings), scalar factors are applied in f32 (PyTorch 2).
inline float gelu_tanh_bf16_chain(float x) {
  const float cube = round_bf16(round_bf16(x * x) * x);
  const float inner = round_bf16(x + round_bf16(0.044715f * cube));
  const float t = round_bf16(std::tanh(round_bf16(0.79788456080286536f * inner)));
  return round_bf16(round_bf16(0.5f * x) * round_bf16(1.0f + t));
}

}  // namespace

void apply_activation_bf16(Activation act, float* x, int64_t n) {
  if (act == Activation::GELUTanh) {
#pragma omp parallel for schedule(static) if (n > kParallelElements)
    for (int64_t i = 0; i < n; ++i) x[i] = gelu_tanh_bf16_chain(x[i]);
    return;
  }
  dispatch(act, x, nullptr, n);
  round_to_bf16(x, n);
}

float activation_value(Activation act, float x) {
  switch (act) {
    case Activation::SiLU: return silu(x);
    case Activation::GELU: return gelu_erf(x);
    case Activation::GELUTanh: return gelu_tanh(x);
    case Activation::ReLU: return relu(x);
  }
  return x;
}

void apply_activation(Activation act, float* x, int64_t n) { dispatch(act, x, nullptr, n); }

void apply_gated_activation(Activation act, float* x, const float* other, int64_t n) { dispatch(act, x, other, n); }

}  // namespace osc
