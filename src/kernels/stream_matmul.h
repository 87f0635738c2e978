// Few-token products straight from the stored weights. With T <= ~16 tokens a linear layer is
// bound by memory bandwidth: each weight is used T times, so the product must read it once, at
// the speed memory delivers it, and never write an f32 copy. These kernels widen bf16 / f16
// weights and decode Q8_0 / Q4_0 blocks and Q4_K / Q5_K / Q6_K super-blocks to f32 in registers
// (the rarer Q4_1, Q5_0, Q5_1, Q2_K and Q3_K are decoded 8 rows at a time by core/dequant into a
// buffer that stays in cache) and multiply them with the f32 activations, accumulating in f32:
// the same values the f32 path computes from the dequantized weights, up to the order of the
// additions.
//
// Activations stay f32. llama.cpp rounds them to 8-bit blocks for integer dot products; next to a
// massive activation that wipes out the rest of its block (bench/q8_activation_error.py,
// docs/benchmarks.md), which an analysis of outliers cannot afford. For the same reason the bf16
// dot-product instruction (vdpbf16ps, AVX512-BF16) is not used: it needs bf16 activations.
//
// AVX-512 (F + BW) code, compiled with function target attributes so that a baseline build
// (OUTLIERSCOPE_NATIVE=OFF) carries it too; it runs only when cpu_features() says the CPU has it.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc::kernels {

// True when this CPU and build can run stream_matmul for weights of this dtype (BF16, F16, F32 and
// the GGUF block types that core/dequant.h decodes).
bool stream_matmul_available(DType dtype);

// y[t, o] = sum_i x[t, i] * w[o, i] for output rows o in [first, end): x is [tokens, in], w is
// [out, in] in its stored dtype, y is [tokens, out] (only columns [first, end) are written).
// Single-threaded; callers split the rows between threads.
void stream_matmul_rows(const float* x, int64_t tokens, const TensorView& w, int64_t first, int64_t end, float* y);

}  // namespace osc::kernels
