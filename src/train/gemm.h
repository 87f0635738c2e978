// Row-major f32 matrix products for training: OpenBLAS runs single-threaded inside each OpenMP
// thread, and the rows of C are split across the threads. One thread pool (OpenMP) therefore does
// all the parallel work, and the split is fixed by the thread count, so results are bit-for-bit
// reproducible for a given --threads.
#pragma once
#include <cstdint>

namespace osc::train {

// C[M, N] = alpha * op(A) op(B) + beta * C; op(A) is [M, K] (A stored [K, M] when trans_a),
// op(B) is [K, N] (B stored [N, K] when trans_b).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// Single-threaded product for use inside an OpenMP parallel region (attention heads).
void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Makes OpenBLAS single-threaded (OpenMP owns the threads) and sets the OpenMP thread count
// (threads <= 0 keeps the default).
void configure_threads(int threads);

}  // namespace osc::train
