#include "train/attention_layer.h"

#include <algorithm>
#include <cmath>

#include "train/causal_products.h"
#include "train/ops.h"
#include "train/parallel.h"

namespace osc::train {
namespace {

float dot(const float* a, const float* b, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

void axpy(float alpha, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

int64_t scratch_per_thread(const AttentionDims& d) { return 2 * d.seq * d.seq + d.seq * d.d_head + d.seq; }

// fn(bh, thread) for every (sequence, head) pair bh, split statically across the threads.
template <typename Fn>
void for_each_head(const AttentionDims& d, Fn&& fn) {
  parallel_run([&](int t, int nt) {
    for (int64_t bh = share_begin(d.batch * d.heads, t, nt); bh < share_end(d.batch * d.heads, t, nt); ++bh) fn(bh, t);
  });
}

void prepare_workspace(const AttentionDims& d, AttentionWorkspace& ws) {
  const size_t need = static_cast<size_t>(parallel_threads() * scratch_per_thread(d));
  if (ws.per_thread.size() < need) ws.per_thread.resize(need);
}

// Row t's effective weights of one head: the saved row itself, or the variant's transform of it.
const float* effective_weights(const AttentionVariant& v, const float* saved, int64_t T, float* scratch) {
  if (v.saved_is_weights()) return saved;
  for (int64_t t = 0; t < T; ++t) {
    v.effective_weights(saved + t * T, t + 1, scratch + t * T);
    zero_right_of_diagonal(scratch + t * T, t, T);
  }
  return scratch;
}

void gate_forward(const AttentionVariant& v, const AttentionDims& d, const float* x, const AttentionExtras& p,
                  AttentionSaved& saved) {
  const int64_t n = d.rows() * d.heads;
  linear_forward(x, p.gate_w, p.gate_b, d.rows(), d.dim(), d.heads, saved.gate_z.data(), false);
  for (int64_t i = 0; i < n; ++i) saved.gate[static_cast<size_t>(i)] = v.gate(saved.gate_z[static_cast<size_t>(i)]);
}

}  // namespace

void AttentionSaved::resize(const AttentionDims& d, const VariantParts& parts) {
  weights.assign(static_cast<size_t>(d.batch * d.heads * d.seq * d.seq), 0.0f);
  weights_extra.assign(static_cast<size_t>(d.batch * d.heads * d.seq), 0.0f);
  const size_t gated_rows = parts.gate ? static_cast<size_t>(d.rows()) : 0;
  head_out.assign(gated_rows * static_cast<size_t>(d.dim()), 0.0f);
  gate_z.assign(gated_rows * static_cast<size_t>(d.heads), 0.0f);
  gate.assign(gated_rows * static_cast<size_t>(d.heads), 0.0f);
}

void attention_forward(const AttentionVariant& variant, const AttentionDims& d, const float* x, const float* qkv,
                       const AttentionExtras& p, AttentionSaved& saved, AttentionWorkspace& ws, float* y) {
  const VariantParts parts = variant.parts();
  const int64_t T = d.seq, H = d.heads, hd = d.d_head, D = d.dim(), ld = 3 * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  prepare_workspace(d, ws);
  if (parts.gate) gate_forward(variant, d, x, p, saved);
  float* out_base = parts.gate ? saved.head_out.data() : y;
  for_each_head(d, [&](int64_t bh, int thread) {
    const int64_t b = bh / H, h = bh % H;
    float* scratch = ws.per_thread.data() + thread * scratch_per_thread(d);
    const float* Q = qkv + b * T * ld + h * hd;
    const float* K = Q + D;
    const float* V = Q + 2 * D;
    float* A = saved.weights.data() + bh * T * T;  // [T, T]
    float* a_extra = saved.weights_extra.data() + bh * T;
    causal_scores(Q, ld, K, ld, T, hd, scale, A);
    for (int64_t t = 0; t < T; ++t) {
      const float s_extra = parts.extra_key ? scale * dot(Q + t * ld, p.k_extra + h * hd, hd) : 0.0f;
      variant.weights_forward(A + t * T, t + 1, s_extra, A + t * T, a_extra + t);
      zero_right_of_diagonal(A + t * T, t, T);
    }
    const float* weights = effective_weights(variant, A, T, scratch);
    float* out = out_base + b * T * D + h * hd;  // [T, hd] with row stride D
    lower_times(weights, T, V, ld, hd, out, D);
    if (parts.extra_value)
      for (int64_t t = 0; t < T; ++t) axpy(a_extra[t], p.v_extra + h * hd, out + t * D, hd);
  });
  if (!parts.gate) return;
  parallel_for(d.rows(), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t i = 0; i < hd; ++i)
          y[r * D + h * hd + i] =
              saved.gate[static_cast<size_t>(r * H + h)] * saved.head_out[static_cast<size_t>(r * D + h * hd + i)];
  });
}

namespace {

// dL/d(head output before the gate) of head h, [T, hd] in `d_out`; also dL/dz of the gate.
void gate_head_backward(const AttentionVariant& v, const AttentionDims& d, const AttentionSaved& saved,
                        const float* dy, int64_t b, int64_t h, float* d_out, float* gate_dz) {
  const int64_t T = d.seq, H = d.heads, hd = d.d_head, D = d.dim();
  for (int64_t t = 0; t < T; ++t) {
    const int64_t r = b * T + t;
    const float* dyr = dy + r * D + h * hd;
    const float* o = saved.head_out.data() + r * D + h * hd;
    const float g = saved.gate[static_cast<size_t>(r * H + h)];
    for (int64_t i = 0; i < hd; ++i) d_out[t * hd + i] = g * dyr[i];
    gate_dz[r * H + h] = dot(dyr, o, hd) * v.gate_derivative(saved.gate_z[static_cast<size_t>(r * H + h)]);
  }
}

void reduce_extra_partials(const AttentionDims& d, const VariantParts& parts, const std::vector<float>& partials,
                           AttentionExtraGrads& g) {
  const int64_t H = d.heads, hd = d.d_head;
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t h = 0; h < H; ++h) {
      const float* part = partials.data() + (b * H + h) * 2 * hd;
      if (parts.extra_key) axpy(1.0f, part, g.k_extra + h * hd, hd);
      if (parts.extra_value) axpy(1.0f, part + hd, g.v_extra + h * hd, hd);
    }
}

}  // namespace

void attention_backward(const AttentionVariant& variant, const AttentionDims& d, const float* x, const float* qkv,
                        const AttentionExtras& p, const AttentionSaved& saved, const float* dy, AttentionWorkspace& ws,
                        float* dqkv, float* dx, AttentionExtraGrads& g) {
  const VariantParts parts = variant.parts();
  const int64_t T = d.seq, H = d.heads, hd = d.d_head, D = d.dim(), ld = 3 * D;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  prepare_workspace(d, ws);
  ws.partials.assign(static_cast<size_t>(d.batch * H * 2 * hd), 0.0f);
  if (parts.gate) ws.gate_dz.assign(static_cast<size_t>(d.rows() * H), 0.0f);
  for_each_head(d, [&](int64_t bh, int thread) {
    const int64_t b = bh / H, h = bh % H;
    float* dA = ws.per_thread.data() + thread * scratch_per_thread(d);  // [T, T]
    float* eff = dA + T * T;                                                          // [T, T]
    float* d_out_buf = eff + T * T;                                                   // [T, hd]
    float* ds_extra = d_out_buf + T * hd;                                             // [T]
    const float* Q = qkv + b * T * ld + h * hd;
    const float* K = Q + D;
    const float* V = Q + 2 * D;
    float* dQ = dqkv + b * T * ld + h * hd;
    float* dK = dQ + D;
    float* dV = dQ + 2 * D;
    const float* A = saved.weights.data() + bh * T * T;
    const float* a_extra = saved.weights_extra.data() + bh * T;
    float* part_k = ws.partials.data() + bh * 2 * hd;
    float* part_v = part_k + hd;
    const float* d_out = dy + b * T * D + h * hd;
    int64_t ld_out = D;
    if (parts.gate) {
      gate_head_backward(variant, d, saved, dy, b, h, d_out_buf, ws.gate_dz.data());
      d_out = d_out_buf;
      ld_out = hd;
    }
    causal_scores(d_out, ld_out, V, ld, T, hd, 1.0f, dA);
    lower_transposed_times(effective_weights(variant, A, T, eff), T, d_out, ld_out, hd, dV, ld);
    for (int64_t t = 0; t < T; ++t) {
      const float* dot_row = d_out + t * ld_out;
      float d_extra = parts.extra_value ? dot(dot_row, p.v_extra + h * hd, hd) : 0.0f;
      if (parts.extra_value) axpy(a_extra[t], dot_row, part_v, hd);
      float* row = dA + t * T;
      variant.weights_backward(A + t * T, a_extra[t], t + 1, row, &d_extra);
      for (int64_t j = 0; j <= t; ++j) row[j] *= scale;
      zero_right_of_diagonal(row, t, T);
      ds_extra[t] = parts.extra_key ? d_extra * scale : 0.0f;
    }
    lower_times(dA, T, K, ld, hd, dQ, ld);
    lower_transposed_times(dA, T, Q, ld, hd, dK, ld);
    if (parts.extra_key)
      for (int64_t t = 0; t < T; ++t) {
        axpy(ds_extra[t], p.k_extra + h * hd, dQ + t * ld, hd);
        axpy(ds_extra[t], Q + t * ld, part_k, hd);
      }
  });
  reduce_extra_partials(d, parts, ws.partials, g);
  if (parts.gate)
    linear_backward(x, p.gate_w, ws.gate_dz.data(), d.rows(), D, H, dx, false, g.gate_w, g.gate_b, ws.reduce);
}

}  // namespace osc::train
