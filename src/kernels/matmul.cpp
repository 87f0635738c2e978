#include "kernels/matmul.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/convert_rows.h"
#include "kernels/dnnl_matmul.h"
#include "kernels/stream_matmul.h"

namespace osc {
namespace {

// About 4 MiB of f32 per converted block: large enough for sgemm to run at full speed, small
// enough to stay in cache-friendly territory and never resemble a whole weight.
constexpr int64_t kScratchFloats = int64_t{1} << 20;
// Below about 1M multiply-adds waking a second thread costs more than it saves.
constexpr int64_t kParallelWork = int64_t{1} << 20;

void check_weight(const TensorView& w) {
  if (w.rank() != 2)
    throw_internal("linear", "weight must be 2-D [out, in], got " + shape_to_string(w.shape));
}

// y[:, 0:count] = x · rowsᵀ, rows being [count, in] f32 and y's rows ldy apart. Single-threaded
// OpenBLAS: the threads are ours (OpenMP), one pool for the whole forward pass.
void gemm_rows(const float* x, int64_t tokens, int64_t in, const float* rows, int64_t count, float* y, int64_t ldy) {
  if (tokens == 1) {  // one decoding step: sgemm would pack the whole weight slice for a single row
    cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(count), static_cast<int>(in), 1.0f, rows,
                static_cast<int>(in), x, 1, 0.0f, y, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(tokens), static_cast<int>(count),
              static_cast<int>(in), 1.0f, x, static_cast<int>(in), rows, static_cast<int>(in), 0.0f, y,
              static_cast<int>(ldy));
}

// The automatic choice: up to the dtype's limit streamed where the CPU can (sgemv / sgemm where it
// cannot); past it oneDNN for F32 weights, converted blocks and sgemm for the others.
MatmulPath choose_path(int64_t tokens, const TensorView& w) {
  const bool f32 = w.dtype == DType::F32;
  const int64_t stream_limit = f32 ? kStreamTokensF32 : kStreamTokens;
  if (tokens <= stream_limit) return kernels::stream_matmul_available(w.dtype) ? MatmulPath::stream : MatmulPath::gemm;
  return f32 ? MatmulPath::dnnl : MatmulPath::gemm;
}

// y[:, first:end] for weight rows [first, end). Streamed, or for sgemm: f32 weights are used in
// place, other dtypes are converted a block of rows at a time into this thread's scratch.
void matmul_rows(const float* x, int64_t tokens, const TensorView& w, int64_t first, int64_t end, float* y,
                 MatmulPath path) {
  if (path == MatmulPath::stream) return kernels::stream_matmul_rows(x, tokens, w, first, end, y);
  const int64_t out = w.rows(), in = w.row_length();
  if (w.dtype == DType::F32) {
    gemm_rows(x, tokens, in, static_cast<const float*>(w.data) + first * in, end - first, y + first, out);
    return;
  }
  const int64_t block = std::max<int64_t>(16, kScratchFloats / std::max<int64_t>(in, 1));
  thread_local std::vector<float> scratch;
  scratch.resize(static_cast<size_t>(std::min(block, end - first) * in));
  for (int64_t begin = first; begin < end; begin += block) {
    const int64_t count = std::min(block, end - begin);
    kernels::convert_rows_to_f32(w, begin, count, scratch.data());
    gemm_rows(x, tokens, in, scratch.data(), count, y + begin, out);
  }
}

void matmul(const float* x, int64_t tokens, const TensorView& w, float* y, MatmulPath path) {
  check_weight(w);
  const int64_t out = w.rows(), in = w.row_length();
  if (tokens == 0 || out == 0) return;
  if (path == MatmulPath::stream && !kernels::stream_matmul_available(w.dtype))
    throw_internal("linear", "the stream path cannot take " + std::string(dtype_name(w.dtype)) + " weights on this CPU");
  // Each thread takes a contiguous slice of output channels (16-aligned for the GEMM kernel).
#pragma omp parallel if (tokens * out * in > kParallelWork)
  {
    const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t slices = (out + 15) / 16;
    const int64_t first = std::min(out, slices * t / threads * 16);
    const int64_t end = std::min(out, slices * (t + 1) / threads * 16);
    if (end > first) matmul_rows(x, tokens, w, first, end, y, path);
  }
}

}  // namespace

void linear(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y, MatmulPath path) {
  if (path == MatmulPath::automatic) path = choose_path(tokens, w);
  if (path == MatmulPath::dnnl) return dnnl_linear_f32(x, tokens, w, bias, y);
  matmul(x, tokens, w, y, path);
  if (!bias) return;
  const int64_t out = w.rows();
#pragma omp parallel for schedule(static) if (tokens * out > 65536)
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t o = 0; o < out; ++o) y[t * out + o] += bias[o];
}

}  // namespace osc
