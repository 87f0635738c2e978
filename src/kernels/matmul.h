// Linear layers over stored weights: f32 activations times a weight kept in its stored dtype, with
// f32 accumulation. Two paths:
//   stream:  few tokens (<= kStreamTokens), any dtype, on AVX-512 CPUs: the weights are read
//            once and widened / decoded in registers or cache (kernels/stream_matmul.h); up to
//            ~16 tokens such products are bound by memory bandwidth. F32 weights stream at every
//            token count while OpenBLAS's sgemm is narrower than AVX-512 (kernels/matmul.cpp).
//   gemm:    more tokens, or no AVX-512. F32 weights go straight to OpenBLAS sgemm on the mapped
//            memory; other dtypes are converted one block of rows at a time into a small f32
//            scratch buffer for sgemm (compute-bound: the conversion is amortised over the tokens).
// Neither materialises a large model in f32.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc {

// Up to this many tokens the stream path runs (where it can). Bandwidth-bound up to ~16 tokens; up
// to 64 it still beat sgemm on every dtype measured (docs/benchmarks.md, crossover).
constexpr int64_t kStreamTokens = 64;

enum class MatmulPath { automatic, stream, gemm };

// y[tokens, out] = x[tokens, in] · wᵀ (+ bias[out] when bias is non-null), where w is [out, in].
// `path` forces one path (tests, benchmarks); a forced stream path the CPU or dtype cannot take
// throws. Throws an Internal error if w is not 2-D.
void linear(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y,
            MatmulPath path = MatmulPath::automatic);

}  // namespace osc
