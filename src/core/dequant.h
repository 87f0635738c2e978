// Conversion of one row of stored values (any DType, including GGUF block-quantized types) to f32.
// Block layouts follow ggml's published definitions (QK4_0 = QK8_0 = 32, QK_K = 256).
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace osc {

// Converts `n` values starting at `src` (n a multiple of the type's block size) to f32.
void dequantize_row(DType type, const void* src, float* out, int64_t n);

}  // namespace osc
