// Row-major f32 matrix products for training: OpenBLAS runs single-threaded inside each OpenMP
// thread (train/parallel.h), and the rows of C are split across the threads. One thread pool
// (OpenMP) therefore does all the parallel work, and the split is fixed by the thread count, so
// results are bit-for-bit reproducible for a given --threads.
#pragma once
#include <cstdint>

#include "train/parallel.h"

namespace osc::train {

// C[M, N] = alpha * op(A) op(B) + beta * C; op(A) is [M, K] (A stored [K, M] when trans_a),
// op(B) is [K, N] (B stored [N, K] when trans_b).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// How many of `threads` threads gemm() gives rows of an M-row product (at least 16 rows each).
int row_parts(int64_t M, int threads);
// Calls fn(begin, end) on each thread's rows of an M-row output; one parallel region (callers fuse the
// initialisation of C's rows, e.g. a bias or residual, into the same region as the product).
template <typename Fn>
void for_row_parts(int64_t M, Fn&& fn);

// Single-threaded product for use inside an OpenMP parallel region (attention heads).
void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Makes OpenBLAS single-threaded (OpenMP owns the threads) and sets the OpenMP thread count
// (threads <= 0 keeps the default).
void configure_threads(int threads);

template <typename Fn>
void for_row_parts(int64_t M, Fn&& fn) {
  if (row_parts(M, parallel_threads()) == 1) return fn(int64_t{0}, M);
  parallel_run([&](int t, int nt) {
    const int parts = row_parts(M, nt);
    if (t < parts) fn(share_begin(M, t, parts), share_end(M, t, parts));
  });
}

}  // namespace osc::train
