#include "train/causal_products.h"

#include <algorithm>

#include "kernels/sgemm_avx512.h"
#include "train/gemm.h"

namespace osc::train {

using kernels::Triangle;

// Without the AVX-512 kernel the products run as OpenBLAS calls on kCausalBlock-row blocks, each of
// which only touches the keys its rows can see. The kernel skips the same work per 12-row tile
// and 32-column panel in one call, without a per-block call and packing overhead (32-row products
// with a depth of 32 ran at 23-40 GFLOP/s in OpenBLAS).

void causal_scores(const float* X, int64_t ldx, const float* Y, int64_t ldy, int64_t T, int64_t n, float alpha,
                   float* S) {
  if (kernels::sgemm_avx512_available())
    return kernels::sgemm_avx512_triangular(Triangle::lower_c, false, true, T, T, n, alpha, X, ldx, Y, ldy, 0.0f, S,
                                            T);
  for (int64_t r0 = 0; r0 < T; r0 += kCausalBlock) {
    const int64_t r1 = std::min(T, r0 + kCausalBlock);
    gemm_serial(false, true, r1 - r0, r1, n, alpha, X + r0 * ldx, ldx, Y, ldy, 0.0f, S + r0 * T, T);
  }
}

void lower_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C, int64_t ldc) {
  if (kernels::sgemm_avx512_available())
    return kernels::sgemm_avx512_triangular(Triangle::lower_a, false, false, T, n, T, 1.0f, L, T, B, ldb, 0.0f, C,
                                            ldc);
  for (int64_t r0 = 0; r0 < T; r0 += kCausalBlock) {
    const int64_t r1 = std::min(T, r0 + kCausalBlock);
    gemm_serial(false, false, r1 - r0, n, r1, 1.0f, L + r0 * T, T, B, ldb, 0.0f, C + r0 * ldc, ldc);
  }
}

void lower_transposed_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C,
                            int64_t ldc) {
  if (kernels::sgemm_avx512_available())
    return kernels::sgemm_avx512_triangular(Triangle::upper_a, true, false, T, n, T, 1.0f, L, T, B, ldb, 0.0f, C,
                                            ldc);
  // Row j of L^T B sums L[t, j] B[t] over t >= j: block [j0, j1) reads L's rows j0.. from column j0.
  for (int64_t j0 = 0; j0 < T; j0 += kCausalBlock) {
    const int64_t j1 = std::min(T, j0 + kCausalBlock);
    gemm_serial(true, false, j1 - j0, n, T - j0, 1.0f, L + j0 * T + j0, T, B + j0 * ldb, ldb, 0.0f, C + j0 * ldc,
                ldc);
  }
}

}  // namespace osc::train
