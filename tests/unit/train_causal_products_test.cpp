// The causal products (train/causal_products.h) against the plain definitions, with T = 70 (two
// full 32-row blocks and a partial one; five full 12-row tiles of the AVX-512 kernel and a partial
// one) and strided operands. Whether the kernel or OpenBLAS runs depends on the CPU; the
// kernel itself is also tested in kernels_sgemm_avx512_test.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "train/causal_products.h"
#include "train/rng.h"

namespace osc::train {
namespace {

constexpr int64_t kT = 70, kN = 5, kLd = 7;  // operands [kT, kN] stored with row stride kLd

std::vector<float> random_values(int64_t n, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

// A lower-triangular [kT, kT] matrix: zero for the kCausalBlock - 1 entries right of the
// diagonal, garbage (which must not be read) further right.
std::vector<float> lower_with_garbage(Rng& rng) {
  std::vector<float> L = random_values(kT * kT, rng);
  for (int64_t t = 0; t < kT; ++t)
    for (int64_t j = t + 1; j < kT; ++j) L[static_cast<size_t>(t * kT + j)] = j < t + kCausalBlock ? 0.0f : 1e30f;
  return L;
}

// The products this machine uses (the AVX-512 kernel where available) and the OpenBLAS ones.
struct Products {
  const char* name;
  void (*scores)(const float*, int64_t, const float*, int64_t, int64_t, int64_t, float, float*);
  void (*lower)(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t);
  void (*lower_transposed)(const float*, int64_t, const float*, int64_t, int64_t, float*, int64_t);
};

class CausalProducts : public ::testing::TestWithParam<Products> {};

TEST_P(CausalProducts, ScoresMatchDefinitionOnAndBelowTheDiagonal) {
  Rng rng(3);
  const auto X = random_values(kT * kLd, rng), Y = random_values(kT * kLd, rng);
  std::vector<float> S(static_cast<size_t>(kT * kT), 0.0f);
  GetParam().scores(X.data(), kLd, Y.data(), kLd, kT, kN, 0.5f, S.data());
  for (int64_t t = 0; t < kT; ++t)
    for (int64_t j = 0; j <= t; ++j) {
      double ref = 0.0;
      for (int64_t i = 0; i < kN; ++i) ref += static_cast<double>(X[t * kLd + i]) * Y[j * kLd + i];
      EXPECT_NEAR(S[static_cast<size_t>(t * kT + j)], 0.5 * ref, 1e-5) << t << "," << j;
    }
}

TEST_P(CausalProducts, LowerTimesAndTransposedMatchDefinition) {
  Rng rng(4);
  const auto L = lower_with_garbage(rng);
  const auto B = random_values(kT * kLd, rng);
  std::vector<float> C(static_cast<size_t>(kT * kLd), 0.0f), Ct(static_cast<size_t>(kT * kLd), 0.0f);
  GetParam().lower(L.data(), kT, B.data(), kLd, kN, C.data(), kLd);
  GetParam().lower_transposed(L.data(), kT, B.data(), kLd, kN, Ct.data(), kLd);
  for (int64_t r = 0; r < kT; ++r)
    for (int64_t i = 0; i < kN; ++i) {
      double ref = 0.0, ref_t = 0.0;
      for (int64_t j = 0; j <= r; ++j) ref += static_cast<double>(L[r * kT + j]) * B[j * kLd + i];
      for (int64_t t = r; t < kT; ++t) ref_t += static_cast<double>(L[t * kT + r]) * B[t * kLd + i];
      EXPECT_NEAR(C[static_cast<size_t>(r * kLd + i)], ref, 1e-4) << r << "," << i;
      EXPECT_NEAR(Ct[static_cast<size_t>(r * kLd + i)], ref_t, 1e-4) << r << "," << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Implementations, CausalProducts,
                         ::testing::Values(Products{"dispatched", causal_scores, lower_times, lower_transposed_times},
                                           Products{"openblas", blas::causal_scores, blas::lower_times,
                                                    blas::lower_transposed_times}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace osc::train
