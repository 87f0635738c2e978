// linear(): hand-computed products, and stored BF16/F16 weights against the same weights in f32
// computed by a plain double-precision loop (an independent reference, not the kernel itself).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/dtype.h"
#include "kernels/matmul.h"

namespace osc {
namespace {

TensorView view_of(const void* data, DType dtype, int64_t out, int64_t in, uint64_t nbytes) {
  TensorView v;
  v.dtype = dtype;
  v.shape = {out, in};
  v.data = data;
  v.nbytes = nbytes;
  return v;
}

TEST(Matmul, HandComputedF32WithBias) {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};   // [2, 3]
  const std::vector<float> w = {1, 0, -1, 2, 1, 0};  // [2, 3]
  const std::vector<float> b = {0.5f, -1.0f};
  std::vector<float> y(4);
  linear(x.data(), 2, view_of(w.data(), DType::F32, 2, 3, 24), b.data(), y.data());
  // row 0: (1-3)+0.5 = -1.5, (2+2)-1 = 3;  row 1: (4-6)+0.5 = -1.5, (8+5)-1 = 12
  EXPECT_EQ(y, (std::vector<float>{-1.5f, 3.0f, -1.5f, 12.0f}));
}

// Many output rows so that the blocked conversion path runs over several blocks.
void check_converted(DType dtype) {
  const int64_t tokens = 3, in = 40, out = 30000;
  std::vector<uint16_t> stored(static_cast<size_t>(out * in));
  std::vector<float> exact(stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    const float f = std::sin(0.37f * static_cast<float>(i)) * 3.0f;
    stored[i] = dtype == DType::BF16 ? f32_to_bf16(f) : f32_to_f16(f);
    exact[i] = dtype == DType::BF16 ? bf16_to_f32(stored[i]) : f16_to_f32(stored[i]);
  }
  std::vector<float> x(static_cast<size_t>(tokens * in));
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.11f * static_cast<float>(i));
  std::vector<float> y(static_cast<size_t>(tokens * out));
  linear(x.data(), tokens, view_of(stored.data(), dtype, out, in, stored.size() * 2), nullptr, y.data());
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t o = 0; o < out; o += 997) {
      double ref = 0;
      for (int64_t i = 0; i < in; ++i) ref += static_cast<double>(x[t * in + i]) * exact[o * in + i];
      ASSERT_NEAR(y[t * out + o], ref, 1e-4 * (1 + std::fabs(ref))) << "t=" << t << " o=" << o;
    }
}

TEST(Matmul, Bf16WeightsConvertedPerBlock) { check_converted(DType::BF16); }
TEST(Matmul, F16WeightsConvertedPerBlock) { check_converted(DType::F16); }

TEST(Matmul, Q8_0WeightsDequantizedByBlock) {
  // ggml's Q8_0 block: an f16 scale d, then 32 int8 values q; the weight is d·q.
  // Row 0: d = 0.5, q = 1..32;  row 1: d = -2, q = 1 everywhere.
  std::vector<uint8_t> blocks(2 * 34);
  const uint16_t half = f32_to_f16(0.5f), minus_two = f32_to_f16(-2.0f);
  std::memcpy(blocks.data(), &half, 2);
  std::memcpy(blocks.data() + 34, &minus_two, 2);
  for (int i = 0; i < 32; ++i) {
    blocks[2 + i] = static_cast<uint8_t>(i + 1);
    blocks[36 + i] = 1;
  }
  const std::vector<float> x(32, 1.0f);
  std::vector<float> y(2);
  linear(x.data(), 1, view_of(blocks.data(), DType::Q8_0, 2, 32, blocks.size()), nullptr, y.data());
  EXPECT_FLOAT_EQ(y[0], 0.5f * (32 * 33 / 2));  // 264
  EXPECT_FLOAT_EQ(y[1], -64.0f);
}

TEST(Matmul, RejectsNon2DWeight) {
  const std::vector<float> w(8);
  TensorView v = view_of(w.data(), DType::F32, 2, 4, 32);
  v.shape = {2, 2, 2};
  std::vector<float> x(2), y(4);
  EXPECT_THROW(linear(x.data(), 1, v, nullptr, y.data()), std::exception);
}

}  // namespace
}  // namespace osc
