// The trainer's threaded products against a plain triple loop in double: gemm() (rows split over
// the threads), linear_backward's single region (dx, dW and the bias gradient, each split its own
// way) and linear_forward_residual (residual and bias written by each thread before its product).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "train/gemm.h"
#include "train/ops.h"

namespace osc::train {
namespace {

std::vector<float> filled(int64_t n, int seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(((i * 37 + seed * 11) % 23) - 11) / 8.0f;
  return v;
}

// C = alpha op(A) op(B) + beta C, row-major, in double.
std::vector<float> reference(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const std::vector<float>& A,
                             const std::vector<float>& B, float beta, std::vector<float> C) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double s = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const double a = ta ? A[static_cast<size_t>(k * M + i)] : A[static_cast<size_t>(i * K + k)];
        const double b = tb ? B[static_cast<size_t>(j * K + k)] : B[static_cast<size_t>(k * N + j)];
        s += a * b;
      }
      float& c = C[static_cast<size_t>(i * N + j)];
      c = static_cast<float>(alpha * s + beta * c);
    }
  return C;
}

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-3f * (1.0f + std::fabs(want[i]))) << what << " at " << i;
}

struct Case {
  bool ta, tb;
};
constexpr Case kCases[] = {{false, false}, {false, true}, {true, false}, {true, true}};

TEST(TrainGemm, RowSplitMatchesTripleLoop) {
  omp_set_num_threads(2);
  const int64_t M = 70, N = 33, K = 19;  // 70 rows: two threads, uneven halves
  for (const Case c : kCases) {
    const auto A = filled(M * K, 1), B = filled(K * N, 2), C0 = filled(M * N, 3);
    auto C = C0;
    gemm(c.ta, c.tb, M, N, K, 0.5f, A.data(), c.ta ? M : K, B.data(), c.tb ? K : N, 2.0f, C.data(), N);
    expect_near_all(C, reference(c.ta, c.tb, M, N, K, 0.5f, A, B, 2.0f, C0), "gemm");
  }
}

TEST(TrainGemm, LinearBackwardMatchesTripleLoop) {
  omp_set_num_threads(2);
  const int64_t rows = 66, in = 12, out = 34;
  const auto x = filled(rows * in, 9), w = filled(out * in, 10), dy = filled(rows * out, 11);
  auto dx = filled(rows * in, 12), dw = filled(out * in, 13), db = filled(out, 14);
  const auto dx0 = dx, dw0 = dw, db0 = db;
  std::vector<float> scratch;
  linear_backward(x.data(), w.data(), dy.data(), rows, in, out, dx.data(), true, dw.data(), db.data(), scratch);
  expect_near_all(dx, reference(false, false, rows, in, out, 1.0f, dy, w, 1.0f, dx0), "dx += dy W");
  expect_near_all(dw, reference(true, false, out, in, rows, 1.0f, dy, x, 1.0f, dw0), "dW += dy^T x");
  std::vector<float> want_db = db0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < out; ++c) want_db[static_cast<size_t>(c)] += dy[static_cast<size_t>(r * out + c)];
  expect_near_all(db, want_db, "db += column sums");
}

TEST(TrainGemm, LinearForwardResidualAddsResidualAndBias) {
  omp_set_num_threads(2);
  const int64_t rows = 40, in = 9, out = 17;
  const auto x = filled(rows * in, 15), w = filled(out * in, 16), b = filled(out, 17), res = filled(rows * out, 18);
  std::vector<float> y(static_cast<size_t>(rows * out), 99.0f);  // overwritten, never read
  linear_forward_residual(x.data(), w.data(), b.data(), res.data(), rows, in, out, y.data());
  std::vector<float> want = res;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < out; ++c) want[static_cast<size_t>(r * out + c)] += b[static_cast<size_t>(c)];
  expect_near_all(y, reference(false, true, rows, out, in, 1.0f, x, w, 1.0f, want), "y = res + b + x W^T");
}

}  // namespace
}  // namespace osc::train
