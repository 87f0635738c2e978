#include "formats/gguf_types.h"

#include <array>

namespace osc {
namespace {

// ggml.h's enum ggml_type; empty names are ids that ggml removed or never used.
constexpr std::array<std::string_view, 40> kGgmlTypeNames = {
    "F32",     "F16",     "Q4_0",   "Q4_1",    "",        "",       "Q5_0",   "Q5_1",  "Q8_0",    "Q8_1",
    "Q2_K",    "Q3_K",    "Q4_K",   "Q5_K",    "Q6_K",    "Q8_K",   "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
    "IQ4_NL",  "IQ3_S",   "IQ2_S",  "IQ4_XS",  "I8",      "I16",    "I32",    "I64",   "F64",     "IQ1_M",
    "BF16",    "",        "",       "",        "TQ1_0",   "TQ2_0",  "",       "",      "",        "MXFP4",
};

struct GgmlPair {
  uint32_t id;
  DType dtype;
};

constexpr std::array<GgmlPair, 18> kSupported = {{
    {0, DType::F32},   {1, DType::F16},   {2, DType::Q4_0},  {3, DType::Q4_1},  {6, DType::Q5_0},
    {7, DType::Q5_1},  {8, DType::Q8_0},  {10, DType::Q2_K}, {11, DType::Q3_K}, {12, DType::Q4_K},
    {13, DType::Q5_K}, {14, DType::Q6_K}, {24, DType::I8},   {25, DType::I16},  {26, DType::I32},
    {27, DType::I64},  {28, DType::F64},  {30, DType::BF16},
}};

}  // namespace

bool gguf_value_type_valid(uint32_t raw) { return raw <= static_cast<uint32_t>(GgufValueType::F64); }

std::string_view gguf_value_type_name(GgufValueType t) {
  static constexpr std::array<std::string_view, 13> names = {
      "UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "FLOAT32",
      "BOOL",  "STRING", "ARRAY", "UINT64", "INT64", "FLOAT64"};
  return names[static_cast<size_t>(t)];
}

uint64_t gguf_value_type_size(GgufValueType t) {
  switch (t) {
    case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::BOOL: return 1;
    case GgufValueType::U16: case GgufValueType::I16: return 2;
    case GgufValueType::U32: case GgufValueType::I32: case GgufValueType::F32: return 4;
    case GgufValueType::U64: case GgufValueType::I64: case GgufValueType::F64: return 8;
    case GgufValueType::STRING: case GgufValueType::ARRAY: return 0;
  }
  return 0;
}

std::optional<DType> dtype_from_ggml_type(uint32_t ggml_type) {
  for (const auto& p : kSupported)
    if (p.id == ggml_type) return p.dtype;
  return std::nullopt;
}

std::optional<uint32_t> ggml_type_from_dtype(DType t) {
  for (const auto& p : kSupported)
    if (p.dtype == t) return p.id;
  return std::nullopt;
}

std::string ggml_type_name(uint32_t ggml_type) {
  if (ggml_type < kGgmlTypeNames.size() && !kGgmlTypeNames[ggml_type].empty())
    return std::string(kGgmlTypeNames[ggml_type]);
  return "unknown";
}

}  // namespace osc
