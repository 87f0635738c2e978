// Linear layers of a bf16 pass (--compute bf16, model/compute_precision.h): activations holding
// bf16 values (in f32 storage) times BF16 weights, products exact in f32, sums in f32, as PyTorch's
// bf16 matmul computes them.
//
// Up to kStreamTokens tokens the stream kernel of linear() runs (it reads each weight once and
// was on par with oneDNN's bf16 x bf16 at 9 tokens and 2x at 1, docs/benchmarks.md). Past it the
// product is compute-bound, and oneDNN's bf16 matmul (AVX512-BF16 `vdpbf16ps`, what PyTorch runs)
// did 192-199 GFLOP/s per core against 75-94 for widening to f32 and sgemm: there the activations
// are packed to bf16 (exactly: they hold bf16 values) and oneDNN multiplies them with the weights
// in place (kernels/dnnl_matmul.h). Both compute the same exact products; the sums differ only in
// their order.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc {

// y[tokens, out] = x[tokens, in] · wᵀ (+ bias[out] when non-null), w [out, in]. x must hold bf16
// values (they are rounded to nearest when packed, which leaves a bf16 value unchanged). Weights
// of another dtype than BF16 go to linear().
void linear_bf16(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y);

}  // namespace osc
