// oneDNN's matmul (Debian libdnnl: the kernels PyTorch runs for linear layers on a CPU) over a
// weight used in place in its stored [out, in] layout, the bias added inside the product (no
// separate pass over the output). Two computations:
//   f32:  f32 activations x F32 weights, f32 sums: the default pass's products past kStreamTokensF32
//         (kernels/matmul.h). At GPT-2's shapes on 2 threads it ran 1.02-1.20x OpenBLAS's AVX-512
//         sgemm at T = 64-256 and about even at 1024 (docs/benchmarks.md).
//   bf16: activations holding bf16 values x BF16 weights, products exact in f32, f32 sums: the
//         bf16 pass's products past kStreamTokens (kernels/bf16_matmul.h).
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc {

// y[tokens, out] = x[tokens, in] · wᵀ (+ bias[out] when non-null) for a 2-D F32 w [out, in];
// other weights are an internal error.
void dnnl_linear_f32(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y);

// The same for a 2-D BF16 w: x must hold bf16 values (rounded to nearest when packed to bf16, which
// leaves a bf16 value unchanged).
void dnnl_linear_bf16(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y);

}  // namespace osc
