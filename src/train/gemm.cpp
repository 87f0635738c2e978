#include "train/gemm.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>

#include "kernels/blas_kernels.h"

namespace osc::train {

void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(M), static_cast<blasint>(N), static_cast<blasint>(K), alpha, A,
              static_cast<blasint>(lda), B, static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
}

int row_parts(int64_t M, int threads) {
  return static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(1, M / 16)));
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for_row_parts(M, [&](int64_t begin, int64_t end) {
    const float* a_rows = trans_a ? A + begin : A + begin * lda;
    gemm_serial(trans_a, trans_b, end - begin, N, K, alpha, a_rows, lda, B, ldb, beta, C + begin * ldc, ldc);
  });
}

void configure_threads(int threads) {
  keep_blas_single_threaded();
  if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace osc::train
