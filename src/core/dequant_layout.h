// Where each value of a GGUF K-quant super-block (256 values) lives: the one definition of these
// block layouts, shared by the scalar decoder (core/dequant.cpp) and the in-register decoders of
// the linear-layer kernels (kernels/kquant_values.h). The layouts are ggml's published ones:
//   Q4_K {f16 d, dmin; u8 scales[12]; u8 qs[128]}             x = d * scale_j * q - dmin * min_j
//   Q5_K {f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}  the same with a fifth bit from qh
//   Q6_K {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}       x = d * scales[v / 16] * (q - 32)
// Consecutive values v .. v + 15 with v a multiple of 16 sit in consecutive bytes at the same bit
// position in every field below, so a SIMD decoder reads 16 of them with one load and one shift.
#pragma once
#include <cstdint>

namespace osc::kquant {

constexpr int kValues = 256;  // values per super-block

// A quantized field of value v: byte offset in the block, then the bit shift within that byte.
struct BitField {
  int byte, shift;
};

// Q4_K / Q5_K: 8 sub-blocks j = v / 32 of 32 values with a 6-bit scale and min each. Each 64
// values share 32 bytes of qs, sub-block 2c in the low nibbles and 2c + 1 in the high ones.
struct Q45K {
  static constexpr int kD = 0, kDmin = 2, kScales = 4;
  static constexpr int kSubBlocks = 8;
  static constexpr int sub_block(int v) { return v / 32; }
  // Q5_K's qh[32]: the fifth bit of value v is bit j of qh[v % 32].
  static constexpr int kQh = 16;
  static constexpr BitField fifth_bit(int v) { return {kQh + v % 32, sub_block(v)}; }
  // The low four bits (the nibble) of value v in qs, which starts at 16 (Q4_K) or 48 (Q5_K).
  static constexpr int qs_offset(bool five_bit) { return five_bit ? 48 : 16; }
  static constexpr BitField nibble(int v, bool five_bit) {
    return {qs_offset(five_bit) + 32 * (sub_block(v) / 2) + v % 32, 4 * (sub_block(v) % 2)};
  }
};

// The 6-bit scale and min of sub-block j of Q4_K / Q5_K, packed 8 pairs into the 12 bytes at
// kScales: sub-blocks 0..3 in the low 6 bits of bytes 0..3 (scales) and 4..7 (mins); sub-blocks
// 4..7 take their low 4 bits from bytes 8..11 and their top 2 bits from the spare top bits of
// bytes 0..7.
inline void k4_scale_min(const uint8_t* scales, int j, int* scale, int* min) {
  if (j < 4) {
    *scale = scales[j] & 63;
    *min = scales[j + 4] & 63;
  } else {
    *scale = (scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4);
    *min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
  }
}

// Q6_K: 16 sub-blocks of 16 values with an i8 scale each. Per 128 values (half h), 64 bytes of
// ql and 32 of qh: value 128h + 32g + l (g = 0..3, l < 32) has its low four bits in a nibble
// of ql[64h + 32(g % 2) + l] and its top two in bits 2g, 2g + 1 of qh[32h + l].
struct Q6K {
  static constexpr int kQl = 0, kQh = 128, kScales = 192, kD = 208;
  static constexpr int kSubBlocks = 16;
  static constexpr int sub_block(int v) { return v / 16; }
  static constexpr BitField low_bits(int v) {
    const int h = v / 128, g = v % 128 / 32, l = v % 32;
    return {kQl + 64 * h + 32 * (g % 2) + l, 4 * (g / 2)};
  }
  static constexpr BitField high_bits(int v) {
    const int h = v / 128, g = v % 128 / 32, l = v % 32;
    return {kQh + 32 * h + l, 2 * g};
  }
  static constexpr int kOffset = 32;  // q is stored as q + 32 in 6 unsigned bits
};

}  // namespace osc::kquant
