// Linear layers over stored weights: f32 activations times a weight kept in its stored dtype.
// F32 weights go straight to OpenBLAS sgemm on the mapped memory; any other dtype (BF16, F16,
// GGUF block-quantized) is converted one block of rows at a time into a small f32 scratch buffer,
// so a large model is never materialised in f32.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc {

// y[tokens, out] = x[tokens, in] · wᵀ (+ bias[out] when bias is non-null), where w is [out, in].
// Throws an Internal error if w is not 2-D.
void linear(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y);

}  // namespace osc
