#include "train/ops.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/fast_math.h"
#include "train/gemm.h"

namespace osc::train {
namespace {

// Per-thread partial sums over row chunks, then a fixed-order reduction into out.
template <typename RowFn>
void reduce_rows(int64_t rows, int64_t width, int64_t partials_per_row, std::vector<float>& scratch, RowFn&& row_fn,
                 float* const* outs) {
  const int nt = omp_get_max_threads();
  const int64_t stride = width * partials_per_row;
  scratch.assign(static_cast<size_t>(nt * stride), 0.0f);
#pragma omp parallel num_threads(nt)
  {
    const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
    float* part = scratch.data() + t * stride;
    for (int64_t r = rows * t / n; r < rows * (t + 1) / n; ++r) row_fn(r, part);
  }
  for (int64_t k = 0; k < partials_per_row; ++k) {
    float* out = outs[k];
    if (!out) continue;
    for (int t = 0; t < nt; ++t) {
      const float* part = scratch.data() + t * stride + k * width;
      for (int64_t c = 0; c < width; ++c) out[c] += part[c];
    }
  }
}

}  // namespace

void layernorm_forward(const float* x, const float* w, const float* b, int64_t rows, int64_t width, float* out,
                       float* mean, float* rstd) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * width;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t c = 0; c < width; ++c) sum += xr[c];
    const float m = sum / static_cast<float>(width);
    float var = 0.0f;
#pragma omp simd reduction(+ : var)
    for (int64_t c = 0; c < width; ++c) var += (xr[c] - m) * (xr[c] - m);
    const float s = 1.0f / std::sqrt(var / static_cast<float>(width) + kLayerNormEps);
    float* o = out + r * width;
    for (int64_t c = 0; c < width; ++c) o[c] = (xr[c] - m) * s * w[c] + (b ? b[c] : 0.0f);
    mean[r] = m;
    rstd[r] = s;
  }
}

void layernorm_backward(const float* x, const float* w, const float* mean, const float* rstd, const float* dout,
                        int64_t rows, int64_t width, float* dx, bool accumulate_dx, float* dw, float* db,
                        std::vector<float>& scratch) {
  auto row = [&](int64_t r, float* part) {
    const float* xr = x + r * width;
    const float* d = dout + r * width;
    float* pw = part;
    float* pb = part + width;
    const float m = mean[r], s = rstd[r];
    float mean_dxhat = 0.0f, mean_dxhat_xhat = 0.0f;
#pragma omp simd reduction(+ : mean_dxhat, mean_dxhat_xhat)
    for (int64_t c = 0; c < width; ++c) {
      const float xhat = (xr[c] - m) * s;
      const float dxhat = d[c] * w[c];
      mean_dxhat += dxhat;
      mean_dxhat_xhat += dxhat * xhat;
      pw[c] += d[c] * xhat;
      pb[c] += d[c];
    }
    mean_dxhat /= static_cast<float>(width);
    mean_dxhat_xhat /= static_cast<float>(width);
    float* o = dx + r * width;
    for (int64_t c = 0; c < width; ++c) {
      const float xhat = (xr[c] - m) * s;
      const float g = s * (d[c] * w[c] - mean_dxhat - xhat * mean_dxhat_xhat);
      o[c] = accumulate_dx ? o[c] + g : g;
    }
  };
  float* outs[2] = {dw, db};
  reduce_rows(rows, width, 2, scratch, row, outs);
}

void linear_forward(const float* x, const float* w, const float* b, int64_t rows, int64_t in, int64_t out, float* y,
                    bool accumulate) {
  if (b) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      float* yr = y + r * out;
      for (int64_t c = 0; c < out; ++c) yr[c] = accumulate ? yr[c] + b[c] : b[c];
    }
  }
  gemm(false, true, rows, out, in, 1.0f, x, in, w, in, (b || accumulate) ? 1.0f : 0.0f, y, out);
}

void linear_backward(const float* x, const float* w, const float* dy, int64_t rows, int64_t in, int64_t out,
                     float* dx, bool accumulate_dx, float* dw, float* db, std::vector<float>& scratch) {
  if (dx) gemm(false, false, rows, in, out, 1.0f, dy, out, w, in, accumulate_dx ? 1.0f : 0.0f, dx, in);
  gemm(true, false, out, in, rows, 1.0f, dy, out, x, in, 1.0f, dw, in);
  if (db) add_column_sums(dy, rows, out, db, scratch);
}

void add_column_sums(const float* x, int64_t rows, int64_t width, float* out, std::vector<float>& scratch) {
  auto row = [&](int64_t r, float* part) {
    const float* xr = x + r * width;
    for (int64_t c = 0; c < width; ++c) part[c] += xr[c];
  };
  float* outs[1] = {out};
  reduce_rows(rows, width, 1, scratch, row, outs);
}

namespace {
constexpr float kGeluC = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluA = 0.044715f;
}  // namespace

void bias_gelu_forward(float* pre, const float* bias, int64_t rows, int64_t width, float* out) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* p = pre + r * width;
    float* o = out + r * width;
#pragma omp simd
    for (int64_t c = 0; c < width; ++c) {
      const float x = bias ? p[c] + bias[c] : p[c];
      p[c] = x;
      o[c] = 0.5f * x * (1.0f + fast_tanh(kGeluC * (x + kGeluA * x * x * x)));
    }
  }
}

void gelu_backward(const float* pre, int64_t n, float* d) {
#pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float x = pre[i];
    const float th = fast_tanh(kGeluC * (x + kGeluA * x * x * x));
    const float dinner = kGeluC * (1.0f + 3.0f * kGeluA * x * x);
    d[i] *= 0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * dinner;
  }
}

void embedding_forward(const int32_t* tokens, const float* wte, const float* wpe, int64_t rows, int64_t seq,
                       int64_t dim, float* x) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* te = wte + static_cast<int64_t>(tokens[r]) * dim;
    const float* pe = wpe + (r % seq) * dim;
    float* o = x + r * dim;
    for (int64_t c = 0; c < dim; ++c) o[c] = te[c] + pe[c];
  }
}

void embedding_backward(const int32_t* tokens, const float* dx, int64_t rows, int64_t seq, int64_t dim, float* dwte,
                        float* dwpe) {
  // Positions are disjoint across threads; the token table is updated serially (rows may share ids).
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < seq; ++p)
    for (int64_t r = p; r < rows; r += seq)
      for (int64_t c = 0; c < dim; ++c) dwpe[p * dim + c] += dx[r * dim + c];
  for (int64_t r = 0; r < rows; ++r) {
    float* g = dwte + static_cast<int64_t>(tokens[r]) * dim;
    const float* d = dx + r * dim;
    for (int64_t c = 0; c < dim; ++c) g[c] += d[c];
  }
}

double cross_entropy(float* logits, const int32_t* targets, int64_t rows, int64_t vocab, float dlogit_scale) {
  std::vector<double> losses(static_cast<size_t>(rows));
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* l = logits + r * vocab;
    const float m = row_max(l, vocab);
    const float target_logit = l[targets[r]];
    float sum = 0.0f;
    if (dlogit_scale != 0.0f) {  // one exp per logit: keep exp(l - m), then scale to softmax
#pragma omp simd reduction(+ : sum)
      for (int64_t c = 0; c < vocab; ++c) {
        const float e = fast_exp(l[c] - m);
        l[c] = e;
        sum += e;
      }
      const float k = dlogit_scale / sum;
#pragma omp simd
      for (int64_t c = 0; c < vocab; ++c) l[c] *= k;
      l[targets[r]] -= dlogit_scale;
    } else {
#pragma omp simd reduction(+ : sum)
      for (int64_t c = 0; c < vocab; ++c) sum += fast_exp(l[c] - m);
    }
    losses[static_cast<size_t>(r)] = static_cast<double>(m) + std::log(static_cast<double>(sum)) - target_logit;
  }
  double total = 0.0;
  for (double v : losses) total += v;
  return total / static_cast<double>(rows);
}

}  // namespace osc::train
