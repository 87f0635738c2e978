// The bf16 pass's linear layers (kernels/bf16_matmul.h): oneDNN's bf16 x bf16 matmul (with and
// without its fused bias) and the
// linear_bf16 dispatch, against a double-precision loop over the same bf16 values (an independent
// reference: each product of two bf16 values is exact, so the only difference allowed is the f32
// rounding of the sums). Shapes are odd on purpose: rows, K and T not multiples of any tile, one
// token, and a massive activation of 1024 beside values of 1e-3.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "kernels/bf16_matmul.h"
#include "kernels/bf16_round.h"
#include "kernels/dnnl_matmul.h"

namespace osc {
namespace {

struct Case {
  int64_t tokens, out, in;
};

struct Operands {
  std::vector<uint16_t> weight;  // [out, in] bf16 bits
  std::vector<float> x;          // [tokens, in] bf16 values in f32
  std::vector<float> bias;       // [out]
  TensorView view;
};

Operands make_operands(const Case& c) {
  Operands o;
  o.weight.resize(static_cast<size_t>(c.out * c.in));
  for (size_t i = 0; i < o.weight.size(); ++i) o.weight[i] = f32_to_bf16(0.05f * std::sin(0.37f * static_cast<float>(i)));
  o.x.resize(static_cast<size_t>(c.tokens * c.in));
  for (size_t i = 0; i < o.x.size(); ++i) o.x[i] = round_bf16(std::cos(0.11f * static_cast<float>(i)) * 1e-3f * static_cast<float>(1 + i % 997));
  o.x[0] = 1024.0f;  // a massive activation on the first token
  o.bias.resize(static_cast<size_t>(c.out));
  for (size_t i = 0; i < o.bias.size(); ++i) o.bias[i] = round_bf16(0.5f - 0.001f * static_cast<float>(i));
  o.view.dtype = DType::BF16;
  o.view.shape = {c.out, c.in};
  o.view.data = o.weight.data();
  o.view.nbytes = o.weight.size() * 2;
  return o;
}

// Every entry of y [tokens, out] within 1e-5 of sum |x w| (+ the bias) of the double-loop value.
void expect_matches_reference(const Case& c, const Operands& o, const std::vector<float>& y, bool with_bias) {
  for (int64_t t = 0; t < c.tokens; ++t)
    for (int64_t r = 0; r < c.out; ++r) {
      double ref = with_bias ? o.bias[static_cast<size_t>(r)] : 0.0, magnitude = std::fabs(ref);
      for (int64_t i = 0; i < c.in; ++i) {
        const double p = static_cast<double>(o.x[static_cast<size_t>(t * c.in + i)]) *
                         bf16_to_f32(o.weight[static_cast<size_t>(r * c.in + i)]);
        ref += p;
        magnitude += std::fabs(p);
      }
      ASSERT_NEAR(y[static_cast<size_t>(t * c.out + r)], ref, 1e-5 * magnitude + 1e-30)
          << "T=" << c.tokens << " out=" << c.out << " in=" << c.in << " at t=" << t << " row=" << r;
    }
}

class DnnlBf16 : public ::testing::TestWithParam<Case> {};

TEST_P(DnnlBf16, MatchesDoubleLoopOverTheBf16Values) {
  const Case c = GetParam();
  const Operands o = make_operands(c);
  std::vector<float> y(static_cast<size_t>(c.tokens * c.out));
  dnnl_linear_bf16(o.x.data(), c.tokens, o.view, nullptr, y.data());
  expect_matches_reference(c, o, y, false);
  dnnl_linear_bf16(o.x.data(), c.tokens, o.view, o.bias.data(), y.data());
  expect_matches_reference(c, o, y, true);
}

INSTANTIATE_TEST_SUITE_P(OddShapes, DnnlBf16,
                         ::testing::Values(Case{1, 17, 7}, Case{65, 33, 40}, Case{130, 301, 4101},
                                           Case{67, 1001, 256}, Case{9, 3001, 96}));

class LinearBf16 : public ::testing::TestWithParam<Case> {};

// Both sides of the dispatch (the stream kernel up to kStreamTokens, oneDNN past it), with a bias.
TEST_P(LinearBf16, EitherRouteMatchesDoubleLoopWithBias) {
  const Case c = GetParam();
  const Operands o = make_operands(c);
  std::vector<float> y(static_cast<size_t>(c.tokens * c.out));
  linear_bf16(o.x.data(), c.tokens, o.view, o.bias.data(), y.data());
  expect_matches_reference(c, o, y, true);
}

INSTANTIATE_TEST_SUITE_P(AroundTheCrossover, LinearBf16,
                         ::testing::Values(Case{1, 19, 40}, Case{64, 19, 40}, Case{65, 19, 40}, Case{200, 131, 72}));

TEST(DnnlLinear, RefusesWeightsOfAnotherDtype) {
  const std::vector<float> w(8), x(4);
  std::vector<float> y(2);
  TensorView v;
  v.dtype = DType::F32;
  v.shape = {2, 4};
  v.data = w.data();
  v.nbytes = 32;
  EXPECT_THROW(dnnl_linear_bf16(x.data(), 1, v, nullptr, y.data()), Error);
  v.dtype = DType::BF16;
  EXPECT_THROW(dnnl_linear_f32(x.data(), 1, v, nullptr, y.data()), Error);
}

}  // namespace
}  // namespace osc
