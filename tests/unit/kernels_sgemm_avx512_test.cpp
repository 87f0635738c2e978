// The AVX-512 GEMM (kernels/sgemm_avx512.h) against a plain double-precision triple loop: all four
// transpose cases, strided operands, partial tiles in M (12-row tiles) and N (32-column panels),
// depths beyond one K block (384), alpha and beta, and the triangular modes of causal attention.
// On a CPU without AVX-512 the kernel is not used anywhere, and the tests are skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/sgemm_avx512.h"
#include "train/rng.h"

namespace osc::kernels {
namespace {

struct Operands {
  bool trans_a, trans_b;
  int64_t M, N, K, lda, ldb, ldc;
  std::vector<float> A, B, C;
};

// Random operands stored with row strides 3 larger than needed (the padding holds NaN, so reading
// it shows), C filled with `c_fill`.
Operands random_operands(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float c_fill,
                         uint64_t seed) {
  train::Rng rng(seed);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Operands o{trans_a, trans_b, M, N, K, (trans_a ? M : K) + 3, (trans_b ? K : N) + 3, N + 3, {}, {}, {}};
  const int64_t a_rows = trans_a ? K : M, b_rows = trans_b ? N : K;
  o.A.assign(static_cast<size_t>(a_rows * o.lda), nan);
  o.B.assign(static_cast<size_t>(b_rows * o.ldb), nan);
  for (int64_t r = 0; r < a_rows; ++r)
    for (int64_t c = 0; c < o.lda - 3; ++c) o.A[static_cast<size_t>(r * o.lda + c)] = static_cast<float>(rng.normal());
  for (int64_t r = 0; r < b_rows; ++r)
    for (int64_t c = 0; c < o.ldb - 3; ++c) o.B[static_cast<size_t>(r * o.ldb + c)] = static_cast<float>(rng.normal());
  o.C.assign(static_cast<size_t>(M * o.ldc), c_fill);
  return o;
}

double a_at(const Operands& o, int64_t i, int64_t k) {
  return o.A[static_cast<size_t>(o.trans_a ? k * o.lda + i : i * o.lda + k)];
}
double b_at(const Operands& o, int64_t k, int64_t j) {
  return o.B[static_cast<size_t>(o.trans_b ? j * o.ldb + k : k * o.ldb + j)];
}

// alpha * sum over k in [k_begin, k_end) of op(A)(i, k) op(B)(k, j), in double.
double product(const Operands& o, int64_t i, int64_t j, int64_t k_begin, int64_t k_end, float alpha) {
  double sum = 0.0;
  for (int64_t k = k_begin; k < k_end; ++k) sum += a_at(o, i, k) * b_at(o, k, j);
  return alpha * sum;
}

void check_general(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, float beta) {
  const float c0 = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : 0.75f;  // beta 0: C is not read
  Operands o = random_operands(trans_a, trans_b, M, N, K, c0, static_cast<uint64_t>(M * 7 + N * 3 + K));
  sgemm_avx512(Triangle::none, trans_a, trans_b, M, N, K, alpha, o.A.data(), o.lda, o.B.data(), o.ldb, beta,
               o.C.data(), o.ldc);
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      const double ref = product(o, i, j, 0, K, alpha) + (beta == 0.0f ? 0.0 : beta * 0.75);
      ASSERT_NEAR(o.C[static_cast<size_t>(i * o.ldc + j)], ref, 1e-4 * (1.0 + std::sqrt(static_cast<double>(K))))
          << "trans " << trans_a << trans_b << " M " << M << " N " << N << " K " << K << " at " << i << "," << j;
    }
    for (int64_t j = N; j < o.ldc; ++j)  // the padding of C's rows is not written
      ASSERT_TRUE(beta == 0.0f ? std::isnan(o.C[static_cast<size_t>(i * o.ldc + j)])
                               : o.C[static_cast<size_t>(i * o.ldc + j)] == 0.75f);
  }
}

class SgemmAvx512 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!sgemm_avx512_available()) GTEST_SKIP() << "this build or CPU has no AVX-512F";
  }
};

TEST_F(SgemmAvx512, AllTransposeCasesAndPartialTilesMatchTheDefinition) {
  for (const bool ta : {false, true})
    for (const bool tb : {false, true}) {
      check_general(ta, tb, 37, 70, 19, 1.0f, 0.0f);  // 3 full 12-row tiles + 1 row; 2 panels + 6 columns
      check_general(ta, tb, 12, 32, 1, 0.5f, 0.0f);   // exactly one tile, depth 1
      check_general(ta, tb, 5, 3, 8, -2.0f, 1.0f);    // smaller than a tile
    }
}

TEST_F(SgemmAvx512, DepthBeyondOneBlockAccumulatesWithAlphaAndBeta) {
  check_general(false, true, 25, 40, 900, 0.25f, 1.0f);  // 3 K blocks of 384
  check_general(true, false, 13, 33, 385, 1.0f, -0.5f);  // 1 block and 1 column of depth
  check_general(false, false, 24, 64, 384, 2.0f, 0.0f);  // exactly one block
}

TEST_F(SgemmAvx512, ZeroDepthScalesC) {
  check_general(false, false, 14, 35, 0, 1.0f, 0.5f);
  check_general(false, false, 14, 35, 0, 1.0f, 0.0f);
}

// Causal attention: T = 70 (5 full 12-row tiles and a partial one; 2 full panels and a partial one).
constexpr int64_t kT = 70, kDepthOfScores = 9;

TEST_F(SgemmAvx512, LowerCWritesEveryEntryOnAndBelowTheDiagonal) {
  Operands o = random_operands(false, true, kT, kT, kDepthOfScores, std::numeric_limits<float>::quiet_NaN(), 11);
  sgemm_avx512(Triangle::lower_c, false, true, kT, kT, kDepthOfScores, 0.5f, o.A.data(), o.lda,
                          o.B.data(), o.ldb, 0.0f, o.C.data(), o.ldc);
  for (int64_t i = 0; i < kT; ++i) {
    for (int64_t j = 0; j < kT; ++j) {
      const float c = o.C[static_cast<size_t>(i * o.ldc + j)];
      if (j <= i || !std::isnan(c)) {  // right of the diagonal: unwritten, or the same formula
        ASSERT_NEAR(c, product(o, i, j, 0, kDepthOfScores, 0.5f), 1e-4) << i << "," << j;
      }
    }
  }
}

// op(A) is [kT, kT] triangular: zero where the mode says so, within 31 entries of the diagonal, and
// garbage (1e30, which must not be read) further away.
void check_triangular_a(Triangle triangle, bool trans_a) {
  const int64_t n = 40;
  Operands o = random_operands(trans_a, false, kT, n, kT, 0.0f, trans_a ? 21 : 22);
  for (int64_t i = 0; i < kT; ++i)
    for (int64_t k = 0; k < kT; ++k) {
      const bool zero = triangle == Triangle::lower_a ? k > i : k < i;
      if (!zero) continue;
      float& a = o.A[static_cast<size_t>(trans_a ? k * o.lda + i : i * o.lda + k)];
      a = std::abs(k - i) < 32 ? 0.0f : 1e30f;
    }
  sgemm_avx512(triangle, trans_a, false, kT, n, kT, 1.0f, o.A.data(), o.lda, o.B.data(), o.ldb, 0.0f,
                          o.C.data(), o.ldc);
  for (int64_t i = 0; i < kT; ++i) {
    const int64_t k_begin = triangle == Triangle::lower_a ? 0 : i;
    const int64_t k_end = triangle == Triangle::lower_a ? i + 1 : kT;
    for (int64_t j = 0; j < n; ++j)
      ASSERT_NEAR(o.C[static_cast<size_t>(i * o.ldc + j)], product(o, i, j, k_begin, k_end, 1.0f), 1e-4)
          << i << "," << j;
  }
}

TEST_F(SgemmAvx512, LowerAAndUpperASkipTheZeroTriangle) {
  check_triangular_a(Triangle::lower_a, false);  // C = L B
  check_triangular_a(Triangle::upper_a, true);   // C = L^T B
}

}  // namespace
}  // namespace osc::kernels
