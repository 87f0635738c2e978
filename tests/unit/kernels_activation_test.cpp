// Activations against values computed from their definitions (Abramowitz-Stegun erf tables,
// PyTorch documentation formulas).
#include <gtest/gtest.h>

#include <vector>

#include "kernels/activation.h"

namespace osc {
namespace {

TEST(Activation, KnownValues) {
  EXPECT_NEAR(activation_value(Activation::SiLU, 1.0f), 0.7310585786f, 1e-7);
  EXPECT_NEAR(activation_value(Activation::SiLU, -2.0f), -0.2384058440f, 1e-7);
  EXPECT_NEAR(activation_value(Activation::GELU, 1.0f), 0.8413447461f, 1e-7);
  EXPECT_NEAR(activation_value(Activation::GELU, -1.0f), -0.1586552539f, 1e-7);
  EXPECT_NEAR(activation_value(Activation::GELUTanh, 1.0f), 0.8411919906f, 1e-7);
  EXPECT_EQ(activation_value(Activation::ReLU, -3.0f), 0.0f);
  EXPECT_EQ(activation_value(Activation::ReLU, 2.5f), 2.5f);
}

TEST(Activation, GatedMultipliesByUp) {
  std::vector<float> gate = {1.0f, 0.0f}, up = {2.0f, 5.0f};
  apply_gated_activation(Activation::SiLU, gate.data(), up.data(), 2);
  EXPECT_NEAR(gate[0], 2 * 0.7310585786f, 1e-6);
  EXPECT_EQ(gate[1], 0.0f);
}

TEST(Activation, InPlaceArray) {
  std::vector<float> x = {-1.0f, 0.0f, 1.0f};
  apply_activation(Activation::ReLU, x.data(), 3);
  EXPECT_EQ(x, (std::vector<float>{0.0f, 0.0f, 1.0f}));
}

}  // namespace
}  // namespace osc
