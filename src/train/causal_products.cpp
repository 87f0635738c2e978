#include "train/causal_products.h"

#include <algorithm>

#include "kernels/sgemm_avx512.h"
#include "train/gemm.h"

namespace osc::train {

using kernels::Triangle;

// With the AVX-512 kernel each product is one call that skips the zero triangle per 12-row tile
// and 32-column panel. Without it the products run as OpenBLAS calls on kCausalBlock-row blocks,
// each of which only touches the keys its rows can see (OpenBLAS ran those thin blocks at 23-68
// GFLOP/s, which is why the kernel exists).

void causal_scores(const float* X, int64_t ldx, const float* Y, int64_t ldy, int64_t T, int64_t n, float alpha,
                   float* S) {
  if (!kernels::sgemm_avx512_available()) return blas::causal_scores(X, ldx, Y, ldy, T, n, alpha, S);
  kernels::sgemm_avx512(Triangle::lower_c, false, true, T, T, n, alpha, X, ldx, Y, ldy, 0.0f, S, T);
}

void lower_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C, int64_t ldc) {
  if (!kernels::sgemm_avx512_available()) return blas::lower_times(L, T, B, ldb, n, C, ldc);
  kernels::sgemm_avx512(Triangle::lower_a, false, false, T, n, T, 1.0f, L, T, B, ldb, 0.0f, C, ldc);
}

void lower_transposed_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C,
                            int64_t ldc) {
  if (!kernels::sgemm_avx512_available()) return blas::lower_transposed_times(L, T, B, ldb, n, C, ldc);
  kernels::sgemm_avx512(Triangle::upper_a, true, false, T, n, T, 1.0f, L, T, B, ldb, 0.0f, C, ldc);
}

namespace blas {

void causal_scores(const float* X, int64_t ldx, const float* Y, int64_t ldy, int64_t T, int64_t n, float alpha,
                   float* S) {
  for (int64_t r0 = 0; r0 < T; r0 += kCausalBlock) {
    const int64_t r1 = std::min(T, r0 + kCausalBlock);
    gemm_serial(false, true, r1 - r0, r1, n, alpha, X + r0 * ldx, ldx, Y, ldy, 0.0f, S + r0 * T, T);
  }
}

void lower_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C, int64_t ldc) {
  for (int64_t r0 = 0; r0 < T; r0 += kCausalBlock) {
    const int64_t r1 = std::min(T, r0 + kCausalBlock);
    gemm_serial(false, false, r1 - r0, n, r1, 1.0f, L + r0 * T, T, B, ldb, 0.0f, C + r0 * ldc, ldc);
  }
}

void lower_transposed_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C,
                            int64_t ldc) {
  // Row j of L^T B sums L[t, j] B[t] over t >= j: block [j0, j1) reads L's rows j0.. from column j0.
  for (int64_t j0 = 0; j0 < T; j0 += kCausalBlock) {
    const int64_t j1 = std::min(T, j0 + kCausalBlock);
    gemm_serial(true, false, j1 - j0, n, T - j0, 1.0f, L + j0 * T + j0, T, B + j0 * ldb, ldb, 0.0f, C + j0 * ldc,
                ldc);
  }
}

}  // namespace blas
}  // namespace osc::train
