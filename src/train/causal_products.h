// Matrix products of causal attention that skip the all-zero upper triangle of a [T, T] weight
// matrix: each block of rows only touches the keys it can see, which saves up to half the
// attention FLOPs (37.5% at T = 128, 44% at T = 256 with 32-row blocks). Single-threaded (called
// per head).
#pragma once
#include <cstdint>

namespace osc::train {

constexpr int64_t kCausalBlock = 32;

// S[t, j] = alpha * X[t] . Y[j] for j <= t; S is [T, T] row-major, and entries right of the
// diagonal are left unwritten or written with the same formula. X, Y: [T, n] with row strides ldx, ldy.
void causal_scores(const float* X, int64_t ldx, const float* Y, int64_t ldy, int64_t T, int64_t n, float alpha,
                   float* S);
// C[T, n] = L B for L [T, T] lower-triangular: the kCausalBlock - 1 entries right of the diagonal
// must be zero (some of them are read); further right they are not read. B: [T, n], stride ldb; C:
// stride ldc.
void lower_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C, int64_t ldc);
// C[T, n] = L^T B for the same L.
void lower_transposed_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C, int64_t ldc);

// The OpenBLAS implementations, used when the AVX-512 kernel is not available (exposed so that
// tests check both on any machine).
namespace blas {
void causal_scores(const float* X, int64_t ldx, const float* Y, int64_t ldy, int64_t T, int64_t n, float alpha,
                   float* S);
void lower_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C, int64_t ldc);
void lower_transposed_times(const float* L, int64_t T, const float* B, int64_t ldb, int64_t n, float* C, int64_t ldc);
}  // namespace blas

// Zeros the entries of row t of a [T, T] matrix that the products above may read right of the
// diagonal (the rest of the row is never read, so it is not written either).
inline void zero_right_of_diagonal(float* row, int64_t t, int64_t T) {
  for (int64_t j = t + 1; j < T && j < t + kCausalBlock; ++j) row[j] = 0.0f;
}

}  // namespace osc::train
