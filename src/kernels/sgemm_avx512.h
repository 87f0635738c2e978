// Single-threaded row-major f32 GEMM with an AVX-512 register-blocked micro-kernel (12 rows x 32
// columns of C in 24 registers) that can skip the zero triangle of causal attention. The trainer's
// attention products use it (train/causal_products.h): per head they are thin ([T, T] by [T, d_head])
// and triangular, and OpenBLAS, called once per 32-row block to skip the triangle, ran them at
// 23-68 GFLOP/s. Here one call does a whole head and skips the triangle per 12-row tile.
//
// A is never copied: the micro-kernel broadcasts A's elements straight from memory (row-major or
// transposed alike, by strides); only B is packed, once per call, into 32-column panels. For the
// large products of a training step this was no faster than OpenBLAS (0.86-1.13x with hot caches,
// 0.55-1.16x with cold ones), so those stay with OpenBLAS.
#pragma once
#include <cstdint>

namespace osc::kernels {

// True when this build has the kernel (compiled for AVX-512F) and the CPU has AVX-512F.
bool sgemm_avx512_available();

// Triangular structure that lets the kernel skip work (causal attention, M == K or M == N):
//   none:    the full product.
//   lower_c: only C(i, j) with j <= i is wanted; whole 32-column panels right of a row tile's last row are
//            skipped, so some entries right of the diagonal are written and others are not.
//   lower_a: op(A)(i, k) == 0 for k > i; row tile [i0, i1) sums k < i1 only (so op(A)(i, k) for
//            i < k < i1, at most 11 entries right of the diagonal, is read and must be the zero it is).
//   upper_a: op(A)(i, k) == 0 for k < i; row tile [i0, i1) sums k >= i0 only (same caveat).
enum class Triangle { none, lower_c, lower_a, upper_a };

// C[M, N] = alpha * op(A) op(B) + beta * C, row-major, as cblas_sgemm(CblasRowMajor, ...): op(A) is
// [M, K] (A stored [K, M] when trans_a), op(B) is [K, N] (B stored [N, K] when trans_b), with the
// work `triangle` allows to skip skipped. With beta == 0, C is written without being read. Call only
// when sgemm_avx512_available() (otherwise it throws an internal error).
void sgemm_avx512(Triangle triangle, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace osc::kernels
