// Single-threaded row-major f32 GEMM with an AVX-512 register-blocked micro-kernel, for the
// medium, thin products of training (K or N of 128-512, M of ~1000 rows per thread).
//
// Why not OpenBLAS for these: OpenBLAS packs both operands on every call. With N of 128-512 the
// copy of A costs 1/N of the product in memory traffic, and the measured packing was 15% of a
// training step of a 128-wide model. Here A is never copied: the micro-kernel broadcasts A's
// elements straight from memory (row-major or transposed alike, by strides), and only B is packed,
// once per call into 32-column panels, which costs 1/M of the product.
#pragma once
#include <cstdint>

namespace osc::kernels {

// True when this build has the kernel (compiled for AVX-512F and the CPU has it).
bool sgemm_avx512_available();

// C[M, N] = alpha * op(A) op(B) + beta * C, row-major, as cblas_sgemm(CblasRowMajor, ...): op(A) is
// [M, K] (A stored [K, M] when trans_a), op(B) is [K, N] (B stored [N, K] when trans_b). With
// beta == 0, C is written without being read. Call only when sgemm_avx512_available().
void sgemm_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                  int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Triangular structure that lets the kernel skip work (causal attention, M == K or M == N):
//   lower_c: only C(i, j) with j <= i is wanted; whole 32-column panels right of a row tile's last row are
//            skipped, so some entries right of the diagonal are written and others are not.
//   lower_a: op(A)(i, k) == 0 for k > i; row tile [i0, i1) sums k < i1 only (so op(A)(i, k) for
//            i < k < i1 is read and must be the zero it is).
//   upper_a: op(A)(i, k) == 0 for k < i; row tile [i0, i1) sums k >= i0 only (same caveat).
enum class Triangle { none, lower_c, lower_a, upper_a };

void sgemm_avx512_triangular(Triangle triangle, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                             float alpha, const float* A, int64_t lda, const float* B, int64_t ldb, float beta,
                             float* C, int64_t ldc);

}  // namespace osc::kernels
