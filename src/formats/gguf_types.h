// GGUF's two type vocabularies: metadata value types (gguf_type) and tensor element types
// (ggml_type ids, as numbered in ggml.h), and their mapping onto osc::DType.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/dtype.h"

namespace osc {

enum class GgufValueType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};

bool gguf_value_type_valid(uint32_t raw);
std::string_view gguf_value_type_name(GgufValueType t);  // "UINT32", "STRING", ...
// Bytes of one value of a fixed-size type (0 for STRING and ARRAY).
uint64_t gguf_value_type_size(GgufValueType t);

// ggml tensor type id -> DType; nullopt for ids outside the supported set.
std::optional<DType> dtype_from_ggml_type(uint32_t ggml_type);
// DType -> ggml tensor type id; nullopt for dtypes GGUF cannot store (U8, BOOL).
std::optional<uint32_t> ggml_type_from_dtype(DType t);
// "Q8_1", "IQ2_XXS", ... or "unknown" for ids ggml never defined (for error messages).
std::string ggml_type_name(uint32_t ggml_type);

}  // namespace osc
