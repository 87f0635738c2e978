// Row conversion to f32. The quantized layouts are ggml's (ggml-common.h / ggml-quants.c):
//   Q4_0 {f16 d; u8 qs[16]}                 x = (nibble - 8) * d
//   Q4_1 {f16 d, m; u8 qs[16]}              x = nibble * d + m
//   Q5_0 {f16 d; u8 qh[4]; u8 qs[16]}       x = (nibble | high bit << 4) - 16) * d
//   Q5_1 {f16 d, m; u8 qh[4]; u8 qs[16]}    x = (nibble | high bit << 4) * d + m
//   Q8_0 {f16 d; i8 qs[32]}                 x = q * d
// In the 32-value blocks, byte j holds value j in its low nibble and value j + 16 in its high one.
// The K-quants pack 256 values into 16 (Q2_K, Q3_K, Q6_K) or 8 (Q4_K, Q5_K) sub-blocks, each
// with its own quantized scale (and min) under one or two f16 super-block scales; the layouts of
// Q4_K, Q5_K and Q6_K are defined once, in core/dequant_layout.h (the SIMD kernels use them too).
#include "core/dequant.h"

#include <cstring>
#include <string>

#include "core/dequant_layout.h"
#include "core/error.h"

namespace osc {
namespace {

constexpr int kQK = 32;    // values per Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0 block
constexpr int kQKK = 256;  // values per K-quant super-block

float half_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return f16_to_f32(h);
}

uint32_t u32_at(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void plain_16bit(const uint8_t* src, float* out, int64_t n, float (*convert)(uint16_t)) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    out[i] = convert(h);
  }
}

template <typename T>
void plain_integer(const uint8_t* src, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, src + sizeof(T) * static_cast<size_t>(i), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

// Q4_0 / Q4_1: offset is -8 (symmetric, no min) or 0 (with min m).
void block_q4(const uint8_t* b, float* y, bool has_min) {
  const float d = half_at(b);
  const float m = has_min ? half_at(b + 2) : 0.0f;
  const uint8_t* qs = b + (has_min ? 4 : 2);
  for (int j = 0; j < kQK / 2; ++j) {
    const int lo = qs[j] & 0x0F, hi = qs[j] >> 4;
    if (has_min) {
      y[j] = static_cast<float>(lo) * d + m;
      y[j + 16] = static_cast<float>(hi) * d + m;
    } else {
      y[j] = static_cast<float>(lo - 8) * d;
      y[j + 16] = static_cast<float>(hi - 8) * d;
    }
  }
}

// Q5_0 / Q5_1: bit j of qh is the fifth bit of value j.
void block_q5(const uint8_t* b, float* y, bool has_min) {
  const float d = half_at(b);
  const float m = has_min ? half_at(b + 2) : 0.0f;
  const uint8_t* p = b + (has_min ? 4 : 2);
  const uint32_t qh = u32_at(p);
  const uint8_t* qs = p + 4;
  for (int j = 0; j < kQK / 2; ++j) {
    const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
    const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1u) << 4);
    if (has_min) {
      y[j] = static_cast<float>(lo) * d + m;
      y[j + 16] = static_cast<float>(hi) * d + m;
    } else {
      y[j] = static_cast<float>(lo - 16) * d;
      y[j + 16] = static_cast<float>(hi - 16) * d;
    }
  }
}

void block_q8_0(const uint8_t* b, float* y) {
  const float d = half_at(b);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

// Q2_K {u8 scales[16]; u8 qs[64]; f16 d, dmin}: scale byte = 4-bit scale | 4-bit min << 4. Each
// 128-value half uses 32 bytes of qs; value group g (0..3) of 32 takes bits 2g..2g+1.
void block_q2_k(const uint8_t* b, float* y) {
  const uint8_t* scales = b;
  const uint8_t* qs = b + 16;
  const float d = half_at(b + 80), dmin = half_at(b + 82);
  int sub = 0;
  for (int half = 0; half < 2; ++half, qs += 32)
    for (int shift = 0; shift < 8; shift += 2)
      for (int part = 0; part < 2; ++part, ++sub) {
        const float dl = d * static_cast<float>(scales[sub] & 0x0F);
        const float ml = dmin * static_cast<float>(scales[sub] >> 4);
        for (int l = 0; l < 16; ++l)
          *y++ = dl * static_cast<float>((qs[16 * part + l] >> shift) & 3) - ml;
      }
}

// The 6-bit signed scales of Q3_K: 16 values packed in 12 bytes (low 4 bits in bytes 0..7,
// high 2 bits in bytes 8..11), stored with an offset of 32.
int q3_k_scale(const uint8_t* s, int i) {
  int low, high;
  if (i < 4) low = s[i] & 0x0F, high = s[i + 8] & 3;
  else if (i < 8) low = s[i] & 0x0F, high = (s[i + 4] >> 2) & 3;
  else if (i < 12) low = s[i - 8] >> 4, high = (s[i] >> 4) & 3;
  else low = s[i - 8] >> 4, high = (s[i - 4] >> 6) & 3;
  return (low | (high << 4)) - 32;
}

// Q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d}: 2 low bits as in Q2_K; a value is
// lowered by 4 when its hmask bit is clear.
void block_q3_k(const uint8_t* b, float* y) {
  const uint8_t* hmask = b;
  const uint8_t* qs = b + 32;
  const uint8_t* scales = b + 96;
  const float d = half_at(b + 108);
  int sub = 0, bit = 0;
  for (int half = 0; half < 2; ++half, qs += 32)
    for (int shift = 0; shift < 8; shift += 2, ++bit)
      for (int part = 0; part < 2; ++part, ++sub) {
        const float dl = d * static_cast<float>(q3_k_scale(scales, sub));
        for (int l = 0; l < 16; ++l) {
          const int idx = 16 * part + l;
          const int q = ((qs[idx] >> shift) & 3) - ((hmask[idx] >> bit) & 1 ? 0 : 4);
          *y++ = dl * static_cast<float>(q);
        }
      }
}

// Q4_K and Q5_K (core/dequant_layout.h): value v = dl * q - ml with the scale and min of its
// 32-value sub-block.
void block_q45_k(const uint8_t* b, float* y, bool five_bit) {
  using kquant::Q45K;
  const float d = half_at(b + Q45K::kD), dmin = half_at(b + Q45K::kDmin);
  for (int sub = 0; sub < Q45K::kSubBlocks; ++sub) {
    int sc, mn;
    kquant::k4_scale_min(b + Q45K::kScales, sub, &sc, &mn);
    const float dl = d * static_cast<float>(sc), ml = dmin * static_cast<float>(mn);
    for (int v = 32 * sub; v < 32 * sub + 32; ++v) {
      const kquant::BitField nibble = Q45K::nibble(v, five_bit);
      int q = (b[nibble.byte] >> nibble.shift) & 0x0F;
      if (five_bit) q |= ((b[Q45K::fifth_bit(v).byte] >> Q45K::fifth_bit(v).shift) & 1) << 4;
      y[v] = dl * static_cast<float>(q) - ml;
    }
  }
}

// Q6_K (core/dequant_layout.h): value v = d * scales[v / 16] * (q - 32).
void block_q6_k(const uint8_t* b, float* y) {
  using kquant::Q6K;
  const auto* scales = reinterpret_cast<const int8_t*>(b + Q6K::kScales);
  const float d = half_at(b + Q6K::kD);
  for (int v = 0; v < kquant::kValues; ++v) {
    const kquant::BitField low = Q6K::low_bits(v), high = Q6K::high_bits(v);
    const int q = (((b[low.byte] >> low.shift) & 0x0F) | (((b[high.byte] >> high.shift) & 3) << 4)) - Q6K::kOffset;
    y[v] = d * static_cast<float>(scales[Q6K::sub_block(v)]) * static_cast<float>(q);
  }
}

template <typename Block>
void blocks(const uint8_t* src, float* out, int64_t n, int64_t values, int64_t bytes, Block block) {
  for (int64_t i = 0; i < n / values; ++i) block(src + i * bytes, out + i * values);
}

}  // namespace

void dequantize_row(DType type, const void* src, float* out, int64_t n) {
  const auto* b = static_cast<const uint8_t*>(src);
  if (n % dtype_block_elements(type) != 0)
    throw_internal("dequantize_row", std::to_string(n) + " values are not whole " + std::string(dtype_name(type)) + " blocks");
  const int64_t bytes = dtype_block_bytes(type);
  switch (type) {
    case DType::F32: std::memcpy(out, src, static_cast<size_t>(n) * 4); return;
    case DType::F16: return plain_16bit(b, out, n, f16_to_f32);
    case DType::BF16: return plain_16bit(b, out, n, bf16_to_f32);
    case DType::F64: return plain_integer<double>(b, out, n);
    case DType::I8: return plain_integer<int8_t>(b, out, n);
    case DType::I16: return plain_integer<int16_t>(b, out, n);
    case DType::I32: return plain_integer<int32_t>(b, out, n);
    case DType::I64: return plain_integer<int64_t>(b, out, n);
    case DType::U8:
    case DType::BOOL: return plain_integer<uint8_t>(b, out, n);
    case DType::Q4_0: return blocks(b, out, n, kQK, bytes, [](const uint8_t* p, float* y) { block_q4(p, y, false); });
    case DType::Q4_1: return blocks(b, out, n, kQK, bytes, [](const uint8_t* p, float* y) { block_q4(p, y, true); });
    case DType::Q5_0: return blocks(b, out, n, kQK, bytes, [](const uint8_t* p, float* y) { block_q5(p, y, false); });
    case DType::Q5_1: return blocks(b, out, n, kQK, bytes, [](const uint8_t* p, float* y) { block_q5(p, y, true); });
    case DType::Q8_0: return blocks(b, out, n, kQK, bytes, block_q8_0);
    case DType::Q2_K: return blocks(b, out, n, kQKK, bytes, block_q2_k);
    case DType::Q3_K: return blocks(b, out, n, kQKK, bytes, block_q3_k);
    case DType::Q4_K: return blocks(b, out, n, kQKK, bytes, [](const uint8_t* p, float* y) { block_q45_k(p, y, false); });
    case DType::Q5_K: return blocks(b, out, n, kQKK, bytes, [](const uint8_t* p, float* y) { block_q45_k(p, y, true); });
    case DType::Q6_K: return blocks(b, out, n, kQKK, bytes, block_q6_k);
  }
  throw_internal("dequantize_row", "no f32 conversion for dtype " + std::string(dtype_name(type)));
}

}  // namespace osc
