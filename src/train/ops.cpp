#include "train/ops.h"

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
  const int nt = parallel_threads();
  const int64_t stride = width * partials_per_row;
  scratch.assign(static_cast<size_t>(nt * stride), 0.0f);
  parallel_run([&](int t, int n) {
    float* part = scratch.data() + t * stride;
    for (int64_t r = share_begin(rows, t, n); r < share_end(rows, t, n); ++r) row_fn(r, part);
  });
  for (int64_t k = 0; k < partials_per_row; ++k) {
    float* out = outs[k];
    if (!out) continue;
    for (int t = 0; t < nt; ++t) {
      const float* part = scratch.data() + t * stride + k * width;
      for (int64_t c = 0; c < width; ++c) out[c] += part[c];
    }
  }
}

// out[c] += sum over rows of x[r, c] for the columns [c0, c1), summed in scratch[c0..c1) first (a
// fixed order: the result does not depend on which thread sums which columns).
void column_sums(const float* x, int64_t rows, int64_t width, int64_t c0, int64_t c1, float* scratch, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * width;
#pragma omp simd
    for (int64_t c = c0; c < c1; ++c) scratch[c] += xr[c];
  }
  for (int64_t c = c0; c < c1; ++c) out[c] += scratch[c];
}

}  // namespace

void layernorm_forward(const float* x, const float* w, const float* b, int64_t rows, int64_t width, float* out,
                       float* mean, float* rstd) {
  parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
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
  });
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

namespace {

// y = (residual, or y itself if accumulate, or 0) + b + x W^T. Each thread initialises its rows right
// before its product: one parallel region, and the rows are still in cache for the GEMM.
void linear_forward_rows(const float* x, const float* w, const float* b, const float* residual, bool accumulate,
                         int64_t rows, int64_t in, int64_t out, float* y) {
  const bool add_to_y = b || residual || accumulate;
  for_row_parts(rows, [&](int64_t begin, int64_t end) {
    if (b || residual)
      for (int64_t r = begin; r < end; ++r) {
        float* yr = y + r * out;
        const float* base = residual ? residual + r * out : yr;
        const bool keep = residual || accumulate;
#pragma omp simd
        for (int64_t c = 0; c < out; ++c) yr[c] = (keep ? base[c] : 0.0f) + (b ? b[c] : 0.0f);
      }
    gemm_serial(false, true, end - begin, out, in, 1.0f, x + begin * in, in, w, in, add_to_y ? 1.0f : 0.0f,
                y + begin * out, out);
  });
}

}  // namespace

void linear_forward(const float* x, const float* w, const float* b, int64_t rows, int64_t in, int64_t out, float* y,
                    bool accumulate) {
  linear_forward_rows(x, w, b, nullptr, accumulate, rows, in, out, y);
}

void linear_forward_residual(const float* x, const float* w, const float* b, const float* residual, int64_t rows,
                             int64_t in, int64_t out, float* y) {
  linear_forward_rows(x, w, b, residual, false, rows, in, out, y);
}

void linear_backward(const float* x, const float* w, const float* dy, int64_t rows, int64_t in, int64_t out,
                     float* dx, bool accumulate_dx, float* dw, float* db, std::vector<float>& scratch) {
  // One parallel region: each thread takes its share of dx's rows, of dW's rows and of db's columns.
  if (db) scratch.assign(static_cast<size_t>(out), 0.0f);
  parallel_run([&](int t, int nt) {
    const int dx_parts = row_parts(rows, nt), dw_parts = row_parts(out, nt);
    if (dx && t < dx_parts) {
      const int64_t begin = share_begin(rows, t, dx_parts), end = share_end(rows, t, dx_parts);
      gemm_serial(false, false, end - begin, in, out, 1.0f, dy + begin * out, out, w, in, accumulate_dx ? 1.0f : 0.0f,
                  dx + begin * in, in);
    }
    if (t < dw_parts) {
      const int64_t begin = share_begin(out, t, dw_parts), end = share_end(out, t, dw_parts);
      gemm_serial(true, false, end - begin, in, rows, 1.0f, dy + begin, out, x, in, 1.0f, dw + begin * in, in);
    }
    if (db) column_sums(dy, rows, out, share_begin(out, t, nt), share_end(out, t, nt), scratch.data(), db);
  });
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
  parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      float* p = pre + r * width;
      float* o = out + r * width;
#pragma omp simd
      for (int64_t c = 0; c < width; ++c) {
        const float x = bias ? p[c] + bias[c] : p[c];
        p[c] = x;
        o[c] = 0.5f * x * (1.0f + fast_tanh(kGeluC * (x + kGeluA * x * x * x)));
      }
    }
  });
}

void gelu_backward(const float* pre, int64_t n, float* d) {
  parallel_for(n, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
      const float x = pre[i];
      const float th = fast_tanh(kGeluC * (x + kGeluA * x * x * x));
      const float dinner = kGeluC * (1.0f + 3.0f * kGeluA * x * x);
      d[i] *= 0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * dinner;
    }
  });
}

void embedding_forward(const int32_t* tokens, const float* wte, const float* wpe, int64_t rows, int64_t seq,
                       int64_t dim, float* x) {
  parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* te = wte + static_cast<int64_t>(tokens[r]) * dim;
      const float* pe = wpe + (r % seq) * dim;
      float* o = x + r * dim;
      for (int64_t c = 0; c < dim; ++c) o[c] = te[c] + pe[c];
    }
  });
}

void embedding_backward(const int32_t* tokens, const float* dx, int64_t rows, int64_t seq, int64_t dim, float* dwte,
                        float* dwpe) {
  // Positions are disjoint across threads; the token table is updated serially (rows may share ids).
  parallel_for(seq, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p)
      for (int64_t r = p; r < rows; r += seq)
        for (int64_t c = 0; c < dim; ++c) dwpe[p * dim + c] += dx[r * dim + c];
  });
  for (int64_t r = 0; r < rows; ++r) {
    float* g = dwte + static_cast<int64_t>(tokens[r]) * dim;
    const float* d = dx + r * dim;
    for (int64_t c = 0; c < dim; ++c) g[c] += d[c];
  }
}

namespace {

// Loss of one row of logits; with dlogit_scale != 0 the row becomes dlogit_scale * (softmax - onehot).
double cross_entropy_row(float* l, int32_t target, int64_t vocab, float dlogit_scale) {
  const float m = row_max(l, vocab);
  const float target_logit = l[target];
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
    l[target] -= dlogit_scale;
  } else {
#pragma omp simd reduction(+ : sum)
    for (int64_t c = 0; c < vocab; ++c) sum += fast_exp(l[c] - m);
  }
  return static_cast<double>(m) + std::log(static_cast<double>(sum)) - target_logit;
}

}  // namespace

double cross_entropy(float* logits, const int32_t* targets, int64_t rows, int64_t vocab, float dlogit_scale) {
  std::vector<double> losses(static_cast<size_t>(rows));
  parallel_for(rows, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      losses[static_cast<size_t>(r)] = cross_entropy_row(logits + r * vocab, targets[r], vocab, dlogit_scale);
  });
  double total = 0.0;
  for (double v : losses) total += v;
  return total / static_cast<double>(rows);
}

}  // namespace osc::train
