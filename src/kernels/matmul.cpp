#include "kernels/matmul.h"

#include <cblas.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/blas_threads.h"

namespace osc {
namespace {

// About 4 MiB of f32 per converted block: large enough for sgemm to run at full speed, small
// enough to stay in cache-friendly territory and never resemble a whole weight.
constexpr int64_t kScratchFloats = int64_t{1} << 20;

void check_weight(const TensorView& w) {
  if (w.rank() != 2)
    throw_internal("linear", "weight must be 2-D [out, in], got " + shape_to_string(w.shape));
}

// y[:, first:first+count] = x · block_rowsᵀ, block_rows being [count, in] f32.
void gemm_block(const float* x, int64_t tokens, int64_t in, const float* rows, int64_t count, float* y, int64_t ldy) {
  blas_threads_for(tokens, count, in);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(tokens), static_cast<int>(count),
              static_cast<int>(in), 1.0f, x, static_cast<int>(in), rows, static_cast<int>(in), 0.0f, y,
              static_cast<int>(ldy));
}

void matmul(const float* x, int64_t tokens, const TensorView& w, float* y) {
  check_weight(w);
  const int64_t out = w.rows(), in = w.row_length();
  if (tokens == 0 || out == 0) return;
  if (w.dtype == DType::F32) {
    gemm_block(x, tokens, in, static_cast<const float*>(w.data), out, y, out);
    return;
  }
  const int64_t block = std::min<int64_t>(out, std::max<int64_t>(16, kScratchFloats / std::max<int64_t>(in, 1)));
  thread_local std::vector<float> scratch;
  scratch.resize(static_cast<size_t>(block * in));
  for (int64_t first = 0; first < out; first += block) {
    const int64_t count = std::min(block, out - first);
    float* buf = scratch.data();
#pragma omp parallel for schedule(static) if (count * in > 262144)
    for (int64_t r = 0; r < count; ++r) w.row_to_f32(first + r, buf + r * in);
    gemm_block(x, tokens, in, buf, count, y + first, out);
  }
}

}  // namespace

void linear(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y) {
  matmul(x, tokens, w, y);
  if (!bias) return;
  const int64_t out = w.rows();
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t o = 0; o < out; ++o) y[t * out + o] += bias[o];
}

}  // namespace osc
