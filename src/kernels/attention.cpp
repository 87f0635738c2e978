#include "kernels/attention.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/dtype.h"
#include "kernels/bf16_round.h"
#include "kernels/fast_math.h"

namespace osc {
namespace {

constexpr int64_t kQueryBlock = 128;
// Below about 1M multiply-adds per head the heads run on one thread.
constexpr int64_t kParallelWork = int64_t{1} << 20;

struct HeadPtrs {
  const float* q;  // row stride heads · d_head
  const float* k;  // row stride kv_heads · d_head
  const float* v;
  float* z;
};

// Masks, biases and softmaxes one row of logits [Tk] in place for the query at `position`:
// masked entries become -inf in `logits` and 0 in `probs`.
void finish_row(float* logits, float* probs, int64_t tk, int64_t position, const AttentionParams& p,
                float slope) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const int64_t first = p.sliding_window ? std::max<int64_t>(0, position - *p.sliding_window + 1) : 0;
  const int64_t end = std::min(tk, position + 1);  // visible keys: [first, end)
  for (int64_t j = 0; j < tk; ++j) {
    if (j >= first && j < end) continue;
    logits[j] = neg_inf;
    probs[j] = 0.0f;
  }
  if (p.alibi_slopes) {
    const int64_t origin = p.alibi_origin == AlibiOrigin::Query ? position
                           : p.alibi_origin == AlibiOrigin::LastKey ? tk - 1 : 0;
    for (int64_t j = first; j < end; ++j) {
      float bias = slope * static_cast<float>(j - origin);
      if (p.alibi_bf16) bias = bf16_to_f32(f32_to_bf16(bias));
      logits[j] += p.alibi_scale * bias;
    }
  }
  const float max_logit = row_max(logits + first, end - first);
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = first; j < end; ++j) {
    probs[j] = fast_exp(logits[j] - max_logit);
    sum += probs[j];
  }
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int64_t j = first; j < end; ++j) probs[j] *= inv;
}

// logits[0, n) = bf16(bf16(q·k) · scale): the bf16 pass's two roundings (HF: matmul, then * scaling).
void round_scaled_logits(float* logits, int64_t n, float scale) {
  for (int64_t j = 0; j < n; ++j) logits[j] = round_bf16(round_bf16(logits[j]) * scale);
}

void attend_head(const HeadPtrs& h, const AttentionShape& s, const AttentionParams& p, float slope,
                 float* head_scores, float* head_pattern) {
  const int q_stride = static_cast<int>(s.heads * s.d_head), kv_stride = static_cast<int>(s.kv_heads * s.d_head);
  const int64_t tk = s.keys, offset = s.keys - s.queries;
  std::vector<float> block_logits, block_probs;
  for (int64_t first = 0; first < s.queries; first += kQueryBlock) {
    const int64_t rows = std::min(kQueryBlock, s.queries - first);
    // Causality: no query of this block sees keys past its last position.
    const int64_t visible = std::min(tk, offset + first + rows);
    float* logits = head_scores ? head_scores + first * tk : nullptr;
    float* probs = head_pattern ? head_pattern + first * tk : nullptr;
    const int64_t ld = (logits || probs) ? tk : visible;
    if (!logits) { block_logits.resize(static_cast<size_t>(rows * ld)); logits = block_logits.data(); }
    if (!probs) { block_probs.resize(static_cast<size_t>(rows * ld)); probs = block_probs.data(); }
    // logits[rows, visible] = scale · Q_block · K[:visible]ᵀ (the scale applied after rounding in bf16)
    const float alpha = p.round_bf16 ? 1.0f : p.scale;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(visible),
                static_cast<int>(s.d_head), alpha, h.q + first * q_stride, q_stride, h.k, kv_stride, 0.0f,
                logits, static_cast<int>(ld));
    for (int64_t r = 0; r < rows; ++r) {
      // Columns beyond `visible` were not computed; they are masked for this row anyway.
      float* lrow = logits + r * ld;
      if (p.round_bf16) round_scaled_logits(lrow, visible, p.scale);
      finish_row(lrow, probs + r * ld, ld, offset + first + r, p, slope);
      round_if(p.round_bf16, probs + r * ld, ld);
    }
    // z[rows, d_head] = P[rows, visible] · V[:visible]
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows), static_cast<int>(s.d_head),
                static_cast<int>(visible), 1.0f, probs, static_cast<int>(ld), h.v, kv_stride, 0.0f,
                h.z + first * q_stride, q_stride);
    for (int64_t r = 0; p.round_bf16 && r < rows; ++r) round_to_bf16(h.z + (first + r) * q_stride, s.d_head);
  }
}

}  // namespace

void attention(const float* q, const float* k, const float* v, const AttentionShape& s,
               const AttentionParams& p, float* z, float* scores, float* pattern) {
  const int64_t group = s.heads / s.kv_heads;
  const int64_t matrix = s.queries * s.keys;
  // Heads are independent: one per thread, each with single-threaded GEMMs.
#pragma omp parallel for schedule(dynamic, 1) if (s.heads > 1 && matrix * s.d_head > kParallelWork)
  for (int64_t h = 0; h < s.heads; ++h) {
    const int64_t kvh = h / group;
    HeadPtrs ptrs{q + h * s.d_head, k + kvh * s.d_head, v + kvh * s.d_head, z + h * s.d_head};
    const float slope = p.alibi_slopes ? p.alibi_slopes[h] : 0.0f;
    attend_head(ptrs, s, p, slope, scores ? scores + h * matrix : nullptr, pattern ? pattern + h * matrix : nullptr);
  }
}

}  // namespace osc

namespace osc {

void softmax_rows(const float* scores, int64_t rows, int64_t cols, float* pattern) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = scores + r * cols;
    float* out = pattern + r * cols;
    float max_v = neg_inf;
    for (int64_t j = 0; j < cols; ++j) max_v = std::max(max_v, in[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      out[j] = (in[j] == neg_inf || max_v == neg_inf) ? 0.0f : std::exp(in[j] - max_v);
      sum += out[j];
    }
    const float inv = sum > 0.0 ? static_cast<float>(1.0 / sum) : 0.0f;
    for (int64_t j = 0; j < cols; ++j) out[j] *= inv;
  }
}

void pattern_times_values(const float* pattern, const float* v, const AttentionShape& s, float* z) {
  const int64_t group = s.heads / s.kv_heads;
  const int q_stride = static_cast<int>(s.heads * s.d_head), kv_stride = static_cast<int>(s.kv_heads * s.d_head);
#pragma omp parallel for schedule(static) if (s.heads > 1 && s.queries * s.keys * s.d_head > kParallelWork)
  for (int64_t h = 0; h < s.heads; ++h)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(s.queries), static_cast<int>(s.d_head),
                static_cast<int>(s.keys), 1.0f, pattern + h * s.queries * s.keys, static_cast<int>(s.keys),
                v + (h / group) * s.d_head, kv_stride, 0.0f, z + h * s.d_head, q_stride);
}

}  // namespace osc
