// Dequantization of ggml block types against hand-built blocks. Each expected value is worked out
// by hand from ggml's published block layouts (the arithmetic is in the comment next to it).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/dequant.h"
#include "core/tensor.h"

namespace osc {
namespace {

constexpr uint16_t kHalf0_25 = 0x3400, kHalf0_5 = 0x3800, kHalf1 = 0x3C00, kHalf2 = 0x4000, kHalfMinus1 = 0xBC00;

struct Block {
  std::vector<uint8_t> bytes;
  explicit Block(DType t) : bytes(static_cast<size_t>(dtype_block_bytes(t)), 0) {}
  void half(size_t at, uint16_t h) { std::memcpy(&bytes[at], &h, 2); }
  void u32(size_t at, uint32_t v) { std::memcpy(&bytes[at], &v, 4); }
  std::vector<float> decode(DType t) const {
    std::vector<float> out(static_cast<size_t>(dtype_block_elements(t)));
    dequantize_row(t, bytes.data(), out.data(), static_cast<int64_t>(out.size()));
    return out;
  }
};

TEST(Dequant, Q8_0) {
  Block b(DType::Q8_0);
  b.half(0, kHalf0_5);
  b.bytes[2] = static_cast<uint8_t>(-3);
  b.bytes[33] = 127;
  auto y = b.decode(DType::Q8_0);
  EXPECT_EQ(y[0], -1.5f);   // -3 * 0.5
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[31], 63.5f);  // 127 * 0.5
}

TEST(Dequant, Q4_0) {
  Block b(DType::Q4_0);
  b.half(0, kHalf2);
  b.bytes[2] = 0x3A;   // qs[0]: low 10, high 3
  b.bytes[17] = 0xF0;  // qs[15]: low 0, high 15
  auto y = b.decode(DType::Q4_0);
  EXPECT_EQ(y[0], 4.0f);     // (10 - 8) * 2
  EXPECT_EQ(y[16], -10.0f);  // (3 - 8) * 2
  EXPECT_EQ(y[15], -16.0f);  // (0 - 8) * 2
  EXPECT_EQ(y[31], 14.0f);   // (15 - 8) * 2
}

TEST(Dequant, Q4_1) {
  Block b(DType::Q4_1);
  b.half(0, kHalf0_5);
  b.half(2, kHalfMinus1);
  b.bytes[4] = 0x3A;
  auto y = b.decode(DType::Q4_1);
  EXPECT_EQ(y[0], 4.0f);   // 10 * 0.5 - 1
  EXPECT_EQ(y[16], 0.5f);  // 3 * 0.5 - 1
  EXPECT_EQ(y[1], -1.0f);  // 0 * 0.5 - 1
}

TEST(Dequant, Q5_0) {
  Block b(DType::Q5_0);
  b.half(0, kHalf1);
  b.u32(2, 0x80010001u);  // fifth bits of values 0, 16 and 31
  b.bytes[6] = 0x21;      // qs[0]: low 1, high 2
  auto y = b.decode(DType::Q5_0);
  EXPECT_EQ(y[0], 1.0f);     // (1 | 16) - 16
  EXPECT_EQ(y[16], 2.0f);    // (2 | 16) - 16
  EXPECT_EQ(y[15], -16.0f);  // 0 - 16
  EXPECT_EQ(y[31], 0.0f);    // (0 | 16) - 16
  EXPECT_EQ(y[17], -16.0f);
}

TEST(Dequant, Q5_1) {
  Block b(DType::Q5_1);
  b.half(0, kHalf0_5);
  b.half(2, kHalf1);
  b.u32(4, 0x00000002u);  // fifth bit of value 1
  b.bytes[9] = 0x4F;      // qs[1]: low 15, high 4
  auto y = b.decode(DType::Q5_1);
  EXPECT_EQ(y[1], 16.5f);  // (15 | 16) * 0.5 + 1
  EXPECT_EQ(y[17], 3.0f);  // 4 * 0.5 + 1
  EXPECT_EQ(y[0], 1.0f);   // 0 * 0.5 + 1
}

TEST(Dequant, Q2_K) {
  Block b(DType::Q2_K);  // scales[16] @0, qs[64] @16, d @80, dmin @82
  b.half(80, kHalf0_5);
  b.half(82, kHalf0_25);
  b.bytes[0] = 0x21;       // sub-block 0: scale 1, min 2
  b.bytes[1] = 0x13;       // sub-block 1: scale 3, min 1
  b.bytes[2] = 0x05;       // sub-block 2: scale 5, min 0
  b.bytes[6] = 0x12;       // sub-block 6: scale 2, min 1
  b.bytes[8] = 0x01;       // sub-block 8: scale 1, min 0
  b.bytes[16 + 0] = 0xE4;  // qs[0] = 0b11'10'01'00
  b.bytes[16 + 16] = 0x03; // qs[16]
  b.bytes[16 + 32] = 0x02; // qs[32]
  auto y = b.decode(DType::Q2_K);
  EXPECT_EQ(y[0], -0.5f);   // 0.5*1*0 - 0.25*2
  EXPECT_EQ(y[16], 4.25f);  // 0.5*3*3 - 0.25*1 (qs[16] bits 0-1)
  EXPECT_EQ(y[32], 2.5f);   // 0.5*5*1 - 0 (qs[0] bits 2-3)
  EXPECT_EQ(y[96], 2.75f);  // 0.5*2*3 - 0.25*1 (qs[0] bits 6-7)
  EXPECT_EQ(y[128], 1.0f);  // 0.5*1*2 (second half: qs[32] bits 0-1, sub-block 8)
  EXPECT_EQ(y[255], 0.0f);
}

TEST(Dequant, Q3_K) {
  Block b(DType::Q3_K);  // hmask[32] @0, qs[64] @32, scales[12] @96, d @108
  b.half(108, kHalf0_5);
  uint8_t* s = &b.bytes[96];
  s[0] = 0x02, s[8] = 0x02;   // sub 0: (2 | 2 << 4) - 32 = 2
  s[5] = 0x07, s[9] = 0x0C;   // sub 5: (7 | 3 << 4) - 32 = 23
  s[2] = 0x50, s[10] = 0x10;  // sub 10: (5 | 1 << 4) - 32 = -11
  s[7] = 0xF0, s[11] = 0xC0;  // sub 15: (15 | 3 << 4) - 32 = 31
  b.bytes[0] = 0x01;          // hmask[0] bit 0
  b.bytes[16] = 0x04;         // hmask[16] bit 2
  b.bytes[31] = 0x80;         // hmask[31] bit 7
  b.bytes[32 + 0] = 0x03;     // qs[0]
  b.bytes[32 + 16] = 0x30;    // qs[16]
  b.bytes[32 + 32] = 0x08;    // qs[32]
  b.bytes[32 + 63] = 0xC0;    // qs[63]
  auto y = b.decode(DType::Q3_K);
  EXPECT_EQ(y[0], 3.0f);     // 0.5 * 2 * (3 - 0): hmask bit set
  EXPECT_EQ(y[1], -4.0f);    // 0.5 * 2 * (0 - 4): hmask bit clear
  EXPECT_EQ(y[80], 34.5f);   // sub 5 = values 80..95: qs[16] bits 4-5 = 3, hmask[16] bit 2 -> 0.5*23*3
  EXPECT_EQ(y[160], 11.0f);  // sub 10 = values 160..175: qs[32] bits 2-3 = 2, hmask[0] bit 5 clear -> 0.5*-11*(2-4)
  EXPECT_EQ(y[255], 46.5f);  // sub 15: qs[63] bits 6-7 = 3, hmask[31] bit 7 -> 0.5*31*3
  EXPECT_EQ(y[200], 64.0f);  // sub 12, scale byte 0: 0.5 * -32 * (0 - 4)
}

TEST(Dequant, Q4_K) {
  Block b(DType::Q4_K);  // d @0, dmin @2, scales[12] @4, qs[128] @16
  b.half(0, kHalf0_5);
  b.half(2, kHalf0_25);
  uint8_t* s = &b.bytes[4];
  s[0] = 3, s[4] = 2;                   // sub 0: scale 3, min 2
  s[1] = 4;                             // sub 1: scale 4, min 0
  s[10] = 0x31, s[2] = 0x40, s[6] = 0x80;  // sub 6: scale 1 | 1 << 4 = 17, min 3 | 2 << 4 = 35
  b.bytes[16 + 0] = 0x5A;
  b.bytes[16 + 96] = 0x02;
  auto y = b.decode(DType::Q4_K);
  EXPECT_EQ(y[0], 14.5f);   // 0.5*3*10 - 0.25*2
  EXPECT_EQ(y[32], 10.0f);  // high nibble 5 of qs[0]: 0.5*4*5
  EXPECT_EQ(y[192], 8.25f); // sub 6 = low nibbles of qs[96..127]: 0.5*17*2 - 0.25*35
  EXPECT_EQ(y[1], -0.5f);   // 0 - 0.25*2
}

TEST(Dequant, Q5_K) {
  Block b(DType::Q5_K);  // d @0, dmin @2, scales[12] @4, qh[32] @16, qs[128] @48
  b.half(0, kHalf0_5);
  b.half(2, kHalf0_25);
  uint8_t* s = &b.bytes[4];
  s[0] = 2, s[4] = 1;  // sub 0: scale 2, min 1
  s[3] = 1;            // sub 3: scale 1, min 0
  b.bytes[16] = 0x09;  // qh[0]: bit 0 (sub 0) and bit 3 (sub 3)
  b.bytes[48 + 0] = 0x0F;
  b.bytes[48 + 32] = 0x70;
  auto y = b.decode(DType::Q5_K);
  EXPECT_EQ(y[0], 30.75f);  // 0.5*2*(15 + 16) - 0.25*1
  EXPECT_EQ(y[96], 11.5f);  // sub 3 = high nibbles of qs[32..63]: 0.5*1*(7 + 16)
  EXPECT_EQ(y[1], -0.25f);  // 0 - 0.25*1
}

TEST(Dequant, Q6_K) {
  Block b(DType::Q6_K);  // ql[128] @0, qh[64] @128, scales[16] @192, d @208
  b.half(208, kHalf0_5);
  auto* sc = reinterpret_cast<int8_t*>(&b.bytes[192]);
  sc[0] = 2, sc[1] = -3, sc[6] = 4, sc[11] = 5;
  b.bytes[0] = 0x0A;         // ql[0]
  b.bytes[32] = 0xF0;        // ql[32]
  b.bytes[116] = 0x07;       // ql[116] (second half, ql[64 + 52])
  b.bytes[128 + 0] = 0xC1;   // qh[0]: bits 0-1 = 1, bits 6-7 = 3
  b.bytes[128 + 16] = 0x03;  // qh[16]
  b.bytes[128 + 52] = 0x08;  // qh[52] (second half, qh[32 + 20]): bits 2-3 = 2
  auto y = b.decode(DType::Q6_K);
  EXPECT_EQ(y[0], -6.0f);    // 0.5*2*((10 | 1 << 4) - 32)
  EXPECT_EQ(y[1], -32.0f);   // 0.5*2*(0 - 32)
  EXPECT_EQ(y[16], -24.0f);  // 0.5*-3*((0 | 3 << 4) - 32)
  EXPECT_EQ(y[96], 62.0f);   // high nibble of ql[32], qh[0] bits 6-7, scale 6: 0.5*4*((15 | 3 << 4) - 32)
  EXPECT_EQ(y[180], 17.5f);  // 128 + 32 + 20: low nibble of ql[116], qh[52] bits 2-3, scale 11: 0.5*5*((7 | 2 << 4) - 32)
  EXPECT_EQ(y[255], 0.0f);   // scale 15 is 0
}

TEST(Dequant, RowOfSeveralBlocksAndTensorView) {
  std::vector<uint8_t> row(2 * 34, 0);
  const uint16_t d0 = kHalf1, d1 = kHalf2;
  std::memcpy(&row[0], &d0, 2);
  std::memcpy(&row[34], &d1, 2);
  row[2] = 5;       // block 0, value 0
  row[34 + 2] = 7;  // block 1, value 0
  TensorView v;
  v.dtype = DType::Q8_0;
  v.shape = {1, 64};
  v.data = row.data();
  v.nbytes = row.size();
  auto y = v.to_f32();
  EXPECT_EQ(y[0], 5.0f);
  EXPECT_EQ(y[32], 14.0f);  // 7 * 2
}

TEST(Dequant, PlainTypes) {
  const int32_t ints[3] = {-7, 0, 123456};
  float out[3];
  dequantize_row(DType::I32, ints, out, 3);
  EXPECT_EQ(out[0], -7.0f);
  EXPECT_EQ(out[2], 123456.0f);
  const uint16_t bf[2] = {0x3F80, 0xC040};  // 1.0, -3.0
  dequantize_row(DType::BF16, bf, out, 2);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -3.0f);
}

}  // namespace
}  // namespace osc
