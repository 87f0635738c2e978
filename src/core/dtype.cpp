#include "core/dtype.h"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

namespace osc {
namespace {

struct DTypeInfo {
  DType type;
  std::string_view name;
  int64_t block_elements;
  int64_t block_bytes;
};

// Block layouts follow ggml: QK4_0 = QK8_0 = 32, QK_K = 256.
constexpr std::array<DTypeInfo, 20> kInfo = {{
    {DType::F32, "F32", 1, 4},     {DType::F16, "F16", 1, 2},     {DType::BF16, "BF16", 1, 2},
    {DType::F64, "F64", 1, 8},     {DType::I8, "I8", 1, 1},       {DType::I16, "I16", 1, 2},
    {DType::I32, "I32", 1, 4},     {DType::I64, "I64", 1, 8},     {DType::U8, "U8", 1, 1},
    {DType::BOOL, "BOOL", 1, 1},   {DType::Q4_0, "Q4_0", 32, 18}, {DType::Q4_1, "Q4_1", 32, 20},
    {DType::Q5_0, "Q5_0", 32, 22}, {DType::Q5_1, "Q5_1", 32, 24}, {DType::Q8_0, "Q8_0", 32, 34},
    {DType::Q2_K, "Q2_K", 256, 84}, {DType::Q3_K, "Q3_K", 256, 110}, {DType::Q4_K, "Q4_K", 256, 144},
    {DType::Q5_K, "Q5_K", 256, 176}, {DType::Q6_K, "Q6_K", 256, 210},
}};

const DTypeInfo& info(DType t) { return kInfo[static_cast<size_t>(t)]; }

}  // namespace

std::string_view dtype_name(DType t) { return info(t).name; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& i : kInfo)
    if (i.name == name) return i.type;
  return std::nullopt;
}

bool dtype_is_quantized(DType t) { return info(t).block_elements > 1; }
int64_t dtype_block_elements(DType t) { return info(t).block_elements; }
int64_t dtype_block_bytes(DType t) { return info(t).block_bytes; }

std::optional<uint64_t> dtype_storage_bytes(DType t, uint64_t elements) {
  const auto& i = info(t);
  if (elements % static_cast<uint64_t>(i.block_elements) != 0) return std::nullopt;
  uint64_t blocks = elements / static_cast<uint64_t>(i.block_elements);
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(blocks, static_cast<uint64_t>(i.block_bytes), &bytes)) return std::nullopt;
  return bytes;
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / NaN (payload kept)
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {
    // Subnormal half: value = mantissa * 2^-24, exactly representable in f32.
    float f = std::ldexp(static_cast<float>(mantissa), -24);
    std::memcpy(&bits, &f, 4);
    bits |= sign;
  }
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

uint16_t f32_to_f16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) return sign | 0x7e00 | static_cast<uint16_t>((abs >> 13) & 0x3ff);  // NaN
  if (abs >= 0x477ff000u) return sign | 0x7c00;  // rounds to >= 65520: infinity
  if (abs < 0x38800000u) {
    // Result is subnormal (or zero): round abs * 2^24 to the nearest integer, ties to even.
    float a;
    std::memcpy(&a, &abs, 4);
    float scaled = a * 16777216.0f;  // exact: power-of-two scaling of a value < 2^-14
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
  uint32_t rebiased = abs - (112u << 23);
  uint32_t lsb = (rebiased >> 13) & 1u;
  rebiased += 0xfffu + lsb;
  return sign | static_cast<uint16_t>(rebiased >> 13);
}

uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  uint32_t lsb = (bits >> 16) & 1u;
  bits += 0x7fffu + lsb;
  return static_cast<uint16_t>(bits >> 16);
}

}  // namespace osc
