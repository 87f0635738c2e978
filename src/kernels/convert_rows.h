// Stored weight rows converted to f32 for the many-token path (sgemm on converted blocks,
// kernels/matmul.cpp): vectorised with the stream kernels' in-register decoders where the CPU has
// AVX-512 (BF16, F16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K), core/dequant's scalar decoders otherwise.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc::kernels {

// Rows [first, first + count) of w as f32 into out[count, in]: the same values as
// TensorView::rows_to_f32 (up to the rounding of one FMA for the K-quants).
void convert_rows_to_f32(const TensorView& w, int64_t first, int64_t count, float* out);

}  // namespace osc::kernels
