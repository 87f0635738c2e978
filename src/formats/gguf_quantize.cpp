#include "formats/gguf_quantize.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

#include "core/dequant_layout.h"
#include "core/error.h"

namespace osc {
namespace {

constexpr int kQK = 32;    // values per Q8_0 / Q4_0 block
constexpr int kSub = 32;   // values per Q4_K / Q5_K sub-block (8 per super-block)

void put_half(uint8_t* p, float v) {
  const uint16_t h = f32_to_f16(v);
  std::memcpy(p, &h, 2);
}

float as_half(float v) { return f16_to_f32(f32_to_f16(v)); }

// Q8_0 {f16 d; i8 qs[32]}: d = max|x| / 127, q = round(x / d).
void block_q8_0(const float* x, uint8_t* b) {
  float amax = 0;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
  put_half(b, d);
  for (int j = 0; j < kQK; ++j) b[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[j] * id)));
}

// Q4_0 {f16 d; u8 qs[16]}: d = (the value of largest magnitude) / -8, q = x / d + 8 in [0, 15];
// byte j holds value j in its low nibble and value j + 16 in its high one.
void block_q4_0(const float* x, uint8_t* b) {
  float amax = 0, extreme = 0;
  for (int j = 0; j < kQK; ++j)
    if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), extreme = x[j];
  const float d = extreme / -8.0f, id = d != 0 ? 1.0f / d : 0.0f;
  put_half(b, d);
  const auto code = [&](float v) { return std::min(15, static_cast<int>(v * id + 8.5f)); };
  for (int j = 0; j < kQK / 2; ++j) b[2 + j] = static_cast<uint8_t>(code(x[j]) | (code(x[j + kQK / 2]) << 4));
}

// The 6-bit scale and min of sub-block j in Q4_K / Q5_K's 12 scale bytes (kquant::k4_scale_min's layout).
void pack_scale_min(uint8_t* s, int j, int scale, int min) {
  if (j < 4) {
    s[j] |= static_cast<uint8_t>(scale);
    s[j + 4] |= static_cast<uint8_t>(min);
    return;
  }
  s[j + 4] = static_cast<uint8_t>((scale & 15) | ((min & 15) << 4));
  s[j - 4] |= static_cast<uint8_t>((scale >> 4) << 6);
  s[j] |= static_cast<uint8_t>((min >> 4) << 6);
}

int code6(float v, float unit) { return unit > 0 ? std::clamp(static_cast<int>(std::lround(v / unit)), 0, 63) : 0; }

// Q4_K / Q5_K {f16 d, dmin; u8 scales[12]; (Q5_K: u8 qh[32];) u8 qs[128]}: x = d * sc_j * q - dmin * m_j
// with q in [0, levels]. Each 32-value sub-block j fits [min(0, min x), max x]; where q's bits go
// is core/dequant_layout.h's Q45K (the low nibble in qs, Q5_K's fifth bit in qh).
void block_q45_k(const float* x, uint8_t* b, bool five_bit) {
  using kquant::Q45K;
  const int levels = five_bit ? 31 : 15;
  std::array<float, Q45K::kSubBlocks> scale{}, offset{};
  for (int j = 0; j < Q45K::kSubBlocks; ++j) {
    const float* v = x + j * kSub;
    const float lo = std::min(0.0f, *std::min_element(v, v + kSub)), hi = *std::max_element(v, v + kSub);
    scale[j] = (hi - lo) / static_cast<float>(levels);
    offset[j] = -lo;
  }
  const float d = as_half(*std::max_element(scale.begin(), scale.end()) / 63.0f);
  const float dmin = as_half(*std::max_element(offset.begin(), offset.end()) / 63.0f);
  std::memset(b, 0, static_cast<size_t>(dtype_block_bytes(five_bit ? DType::Q5_K : DType::Q4_K)));
  put_half(b + Q45K::kD, d);
  put_half(b + Q45K::kDmin, dmin);
  for (int j = 0; j < Q45K::kSubBlocks; ++j) {
    const int sc = code6(scale[j], d), m = code6(offset[j], dmin);
    pack_scale_min(b + Q45K::kScales, j, sc, m);
    const float step = d * static_cast<float>(sc), shift = dmin * static_cast<float>(m);
    for (int v = j * kSub; v < (j + 1) * kSub; ++v) {
      const int q = step > 0 ? std::clamp(static_cast<int>(std::lround((x[v] + shift) / step)), 0, levels) : 0;
      const kquant::BitField low = Q45K::nibble(v, five_bit);
      b[low.byte] |= static_cast<uint8_t>((q & 15) << low.shift);
      if (!five_bit) continue;
      const kquant::BitField fifth = Q45K::fifth_bit(v);
      b[fifth.byte] |= static_cast<uint8_t>((q >> 4) << fifth.shift);
    }
  }
}

// Q6_K {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}: x = d * sc_j * (q - 32), q - 32 in [-32, 31].
// Each 16-value sub-block's step is max|x| / 31.5, so both signs' extremes round to within half a
// step; the steps are coded as i8 multiples (0..127) of the f16 super-scale d = max step / 127.
void block_q6_k(const float* x, uint8_t* b) {
  using kquant::Q6K;
  std::array<float, Q6K::kSubBlocks> step{};
  for (int j = 0; j < Q6K::kSubBlocks; ++j)
    for (int i = 0; i < 16; ++i) step[j] = std::max(step[j], std::fabs(x[16 * j + i]) / 31.5f);
  const float d = as_half(*std::max_element(step.begin(), step.end()) / 127.0f);
  std::memset(b, 0, static_cast<size_t>(dtype_block_bytes(DType::Q6_K)));
  put_half(b + Q6K::kD, d);
  for (int j = 0; j < Q6K::kSubBlocks; ++j) {
    const int sc = d > 0 ? std::clamp(static_cast<int>(std::lround(step[j] / d)), 0, 127) : 0;
    b[Q6K::kScales + j] = static_cast<uint8_t>(static_cast<int8_t>(sc));
    const float coded = d * static_cast<float>(sc);
    for (int v = 16 * j; v < 16 * (j + 1); ++v) {
      const int q = (coded > 0 ? std::clamp(static_cast<int>(std::lround(x[v] / coded)), -32, 31) : 0) + Q6K::kOffset;
      const kquant::BitField low = Q6K::low_bits(v), high = Q6K::high_bits(v);
      b[low.byte] |= static_cast<uint8_t>((q & 15) << low.shift);
      b[high.byte] |= static_cast<uint8_t>((q >> 4) << high.shift);
    }
  }
}

}  // namespace

bool can_quantize_to(DType type) {
  switch (type) {
    case DType::F32: case DType::F16: case DType::BF16: case DType::Q8_0: case DType::Q4_0:
    case DType::Q4_K: case DType::Q5_K: case DType::Q6_K:
      return true;
    default:
      return false;
  }
}

void quantize_row(DType type, const float* src, void* out, int64_t n) {
  OSC_CHECK_INPUT(can_quantize_to(type), "quantize_row", "cannot write " + std::string(dtype_name(type)));
  OSC_CHECK_INPUT(n % dtype_block_elements(type) == 0, "quantize_row",
                  std::to_string(n) + " values are not whole " + std::string(dtype_name(type)) + " blocks");
  auto* dst = static_cast<uint8_t*>(out);
  const int64_t block = dtype_block_elements(type), bytes = dtype_block_bytes(type);
  for (int64_t i = 0; i < n / block; ++i) {
    const float* x = src + i * block;
    uint8_t* b = dst + i * bytes;
    switch (type) {
      case DType::F32: std::memcpy(b, x, 4); break;
      case DType::F16: { const uint16_t h = f32_to_f16(*x); std::memcpy(b, &h, 2); break; }
      case DType::BF16: { const uint16_t h = f32_to_bf16(*x); std::memcpy(b, &h, 2); break; }
      case DType::Q8_0: block_q8_0(x, b); break;
      case DType::Q4_0: block_q4_0(x, b); break;
      case DType::Q4_K: block_q45_k(x, b, false); break;
      case DType::Q5_K: block_q45_k(x, b, true); break;
      default: block_q6_k(x, b); break;
    }
  }
}

std::vector<uint8_t> quantize_rows(DType type, const float* src, int64_t rows, int64_t cols) {
  const auto row_bytes = dtype_storage_bytes(type, static_cast<uint64_t>(cols));
  OSC_CHECK_INPUT(row_bytes.has_value(), "quantize_rows",
                  "rows of " + std::to_string(cols) + " values are not whole " + std::string(dtype_name(type)) + " blocks");
  std::vector<uint8_t> out(*row_bytes * static_cast<uint64_t>(rows));
  for (int64_t r = 0; r < rows; ++r) quantize_row(type, src + r * cols, out.data() + *row_bytes * static_cast<uint64_t>(r), cols);
  return out;
}

}  // namespace osc
