// Activations against values computed from their definitions (Abramowitz-Stegun erf tables,
// PyTorch documentation formulas).
#include <gtest/gtest.h>

#include <cmath>
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

// The vectorized forms (kernels/fast_math.h) against double-precision libm over [-8, 8], relative
// to each value: erf-GELU's negative tail, where 1 + erf(x/√2) is tiny, is where a plain erf
// approximation loses every digit. 1e-5 is f32's own conditioning there (x/√2 and its square
// rounded to f32 already move erfc by ~2z²·2⁻²⁴ ≈ 4e-6 at x = -8).
TEST(Activation, MatchesDoublePrecisionDefinitionsEverywhere) {
  std::vector<float> xs;
  for (float x = -8.0f; x <= 8.0f; x += 0.01f) xs.push_back(x);
  const auto check = [&](Activation act, double (*reference)(double), double tolerance) {
    std::vector<float> y = xs;
    apply_activation(act, y.data(), static_cast<int64_t>(y.size()));
    for (size_t i = 0; i < xs.size(); ++i) {
      const double want = reference(xs[i]);
      ASSERT_NEAR(y[i], want, tolerance * std::abs(want) + 1e-30) << "x = " << xs[i];
    }
  };
  check(Activation::GELU, [](double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }, 1e-5);
  check(Activation::GELUTanh,
        // 0.5·x·(1 + tanh(u)) = x / (1 + e^(-2u)): the same function, without double's own
        // cancellation to 0 once tanh(u) rounds to -1.
        [](double x) { return x / (1.0 + std::exp(-2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x))); },
        1e-5);
  check(Activation::SiLU, [](double x) { return x / (1.0 + std::exp(-x)); }, 1e-5);
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
