// Element types of stored tensors. Plain types (F32/F16/BF16/integers) have a fixed element size;
// GGUF block-quantized types pack `block_elements()` values into `block_bytes()` bytes and are
// dequantized to f32 row by row (see kernels/dequant.h), never for a whole model at once.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace osc {

enum class DType : uint8_t {
  F32, F16, BF16, F64, I8, I16, I32, I64, U8, BOOL,
  Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K,
};

std::string_view dtype_name(DType t);            // "F32", "BF16", "Q4_K", ...
std::optional<DType> dtype_from_name(std::string_view name);  // safetensors / display names
bool dtype_is_quantized(DType t);
int64_t dtype_block_elements(DType t);           // 1 for plain types, 32 or 256 for quantized
int64_t dtype_block_bytes(DType t);              // element size for plain types
// Bytes needed for `elements` values; nullopt if `elements` is not a multiple of the block size
// or the product overflows.
std::optional<uint64_t> dtype_storage_bytes(DType t, uint64_t elements);

// Exact conversions. Down-conversions round to nearest, ties to even; NaN stays NaN, overflow
// gives infinity, as IEEE 754 and PyTorch do.
float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);
inline float bf16_to_f32(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  __builtin_memcpy(&f, &bits, 4);
  return f;
}
uint16_t f32_to_bf16(float f);

}  // namespace osc
