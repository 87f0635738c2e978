// Linear layers over stored weights: f32 activations times a weight kept in its stored dtype, with
// f32 accumulation. Three paths:
//   stream:  few tokens (<= kStreamTokens; F32 weights: kStreamTokensF32), any dtype, on AVX-512
//            CPUs: the weights are read once and widened / decoded in registers or cache
//            (kernels/stream_matmul.h); up to ~16 tokens such products are bound by memory bandwidth.
//   dnnl:    F32 weights past kStreamTokensF32: oneDNN's f32 matmul on the weights in place, the bias
//            inside the product (kernels/dnnl_matmul.h). It picks its kernels from the CPU's flags,
//            whatever OpenBLAS was told (OPENBLAS_CORETYPE), and ran 1.02-1.20x OpenBLAS's AVX-512
//            sgemm at GPT-2's shapes for T = 64-256 (1.9x its Haswell sgemm; docs/benchmarks.md).
//   gemm:    other dtypes past kStreamTokens, and few tokens on CPUs without AVX-512: converted one
//            block of rows at a time into a small f32 scratch buffer for OpenBLAS sgemm
//            (compute-bound: the conversion is amortised over the tokens); F32 weights in place.
// None materialises a large model in f32.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc {

// Up to this many tokens the stream path runs (where it can). Bandwidth-bound up to ~16 tokens; up
// to 64 it still beat sgemm on every dtype measured (docs/benchmarks.md, crossover).
constexpr int64_t kStreamTokens = 64;
// F32 weights stream up to this many tokens only: from 8 tokens on, oneDNN's f32 matmul ran 1.1-1.45x
// the stream kernel at LLaMA-7B's and GPT-2's shapes (2 threads; at 1-2 tokens the stream kernel
// ran 1.2-2.4x oneDNN, at 3-6 the two were within this machine's noise; docs/benchmarks.md).
constexpr int64_t kStreamTokensF32 = 6;

enum class MatmulPath { automatic, stream, dnnl, gemm };

// y[tokens, out] = x[tokens, in] · wᵀ (+ bias[out] when bias is non-null), where w is [out, in].
// `path` forces one path (tests, benchmarks); a forced stream path the CPU or dtype cannot take,
// or a forced dnnl path on weights other than F32, throws. Throws an Internal error if w is not 2-D.
void linear(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y,
            MatmulPath path = MatmulPath::automatic);

}  // namespace osc
