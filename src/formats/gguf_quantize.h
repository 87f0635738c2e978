// Quantization of f32 rows into GGUF block types, the inverse of core/dequant.h, for writing GGUF
// files (tests convert Hugging Face checkpoints with it). The block layouts are ggml's published
// ones; the choice of scales follows ggml's reference quantizers for Q8_0 and Q4_0 (round to the
// nearest step of max|x| / 127, resp. of the signed extreme / -8) and is a plain fit for the
// K-quants: Q4_K / Q5_K a min/max fit per 32 values (step (max - min) / 15 resp. / 31 and min, both
// coded in 6 bits under f16 super-scales), Q6_K a symmetric fit per 16 values (step max|x| / 31.5,
// coded in 8 bits under an f16 super-scale).
#pragma once
#include <cstdint>
#include <vector>

#include "core/dtype.h"

namespace osc {

// True for the types quantize_row writes: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K.
bool can_quantize_to(DType type);

// Writes `n` values (a multiple of the type's block size) as dtype_storage_bytes(type, n) bytes.
void quantize_row(DType type, const float* src, void* out, int64_t n);

// A [rows, cols] f32 matrix as stored bytes of `type`, row after row.
std::vector<uint8_t> quantize_rows(DType type, const float* src, int64_t rows, int64_t cols);

}  // namespace osc
