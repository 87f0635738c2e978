// RMSNorm and LayerNorm against values computed by hand, including a massive activation that
// would overflow f16 squares.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/norm.h"

namespace osc {
namespace {

TEST(Norm, RmsNormHandComputed) {
  // x = [1, 2, 3, 4]: mean of squares 7.5, eps 0.5 → 1/sqrt(8) = 0.35355339
  const std::vector<float> x = {1, 2, 3, 4}, w = {1, 2, 1, 0.5f};
  std::vector<float> out(4);
  rms_norm(x.data(), 1, 4, w.data(), 0.5, out.data());
  const float inv = 1.0f / std::sqrt(8.0f);
  EXPECT_FLOAT_EQ(out[0], 1 * inv);
  EXPECT_FLOAT_EQ(out[1], 4 * inv);
  EXPECT_FLOAT_EQ(out[2], 3 * inv);
  EXPECT_FLOAT_EQ(out[3], 2 * inv);
}

TEST(Norm, RmsNormMassiveActivation) {
  // One channel at 3e4 (its square overflows f16): output ≈ sqrt(dim) in that channel.
  std::vector<float> x(64, 0.0f);
  x[7] = 30000.0f;
  std::vector<float> out(64);
  rms_norm(x.data(), 1, 64, nullptr, 1e-5, out.data());
  EXPECT_NEAR(out[7], 8.0f, 1e-4);
  EXPECT_EQ(out[0], 0.0f);
}

TEST(Norm, LayerNormHandComputed) {
  // x = [1, 2, 3]: mean 2, biased variance 2/3, eps 0 → (x - 2) / sqrt(2/3)
  const std::vector<float> x = {1, 2, 3, 1, 2, 3}, w = {2, 1, 1}, b = {0, 1, -1};
  std::vector<float> out(6);
  layer_norm(x.data(), 2, 3, w.data(), b.data(), 0.0, out.data());
  const float s = 1.0f / std::sqrt(2.0f / 3.0f);
  EXPECT_FLOAT_EQ(out[0], -2 * s);
  EXPECT_FLOAT_EQ(out[1], 1.0f);
  EXPECT_NEAR(out[2], s - 1, 1e-6);
  EXPECT_FLOAT_EQ(out[3], -2 * s);
}

TEST(Norm, LayerNormWithoutAffineInPlace) {
  std::vector<float> x = {2, 4};
  layer_norm(x.data(), 1, 2, nullptr, nullptr, 0.0, x.data());
  EXPECT_FLOAT_EQ(x[0], -1.0f);
  EXPECT_FLOAT_EQ(x[1], 1.0f);
}

}  // namespace
}  // namespace osc
