// Attention of the variants `outlierscope train` offers (An et al. 2025 Sec. 5; Bondarenko et al.
// 2023), for exports whose config.json names one in `outlierscope_attention_variant`. The row map
// of each variant (scores -> weights, the extra slot, the gate) is the trainer's own
// (kernels/attention_variant.h), so engine and trainer compute one function; this file adds the
// engine's staging and hook points (docs/hooks.md, "Attention variants"):
//   scores S [H, T, Tk] -> hook_attn_scores; extra logit s' = q.k' / sqrt(D) [H, T] -> hook_extra_score
//   weights A [H, T, Tk] -> hook_pattern; extra slot weight a' [H, T] -> hook_extra_weight
//   per-head gate g(x.W_g[h] + b_g[h]) [T, H] -> hook_gate
//   z[t, h] = g[t, h] * (sum_j A[h, t, j] v_j + a'[h, t] v'[h]) -> hook_z (by the caller)
// Each stage reads the previous stage after its hook, so interventions propagate. The [H, T, Tk]
// matrices are always built: the trained models are small.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/attention_variant.h"
#include "model/forward_context.h"

namespace osc {
namespace {

float dot(const float* a, const float* b, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

struct Dims {
  int64_t T, Tk, H, KV, D, first_position;
  int64_t visible(int64_t t) const { return first_position + t + 1; }  // keys 0 .. position
};

// S [H, T, Tk] and s' [H, T] (zeros without an extra key).
void scores(const Dims& d, const float* q, const float* k, const float* k_extra, float scale, float* S,
            float* s_extra) {
  const float masked = -std::numeric_limits<float>::infinity();
  const int64_t group = d.H / d.KV;
#pragma omp parallel for schedule(static)
  for (int64_t h = 0; h < d.H; ++h)
    for (int64_t t = 0; t < d.T; ++t) {
      const float* qt = q + (t * d.H + h) * d.D;
      float* row = S + (h * d.T + t) * d.Tk;
      for (int64_t j = 0; j < d.Tk; ++j)
        row[j] = j < d.visible(t) ? scale * dot(qt, k + (j * d.KV + h / group) * d.D, d.D) : masked;
      s_extra[h * d.T + t] = k_extra ? scale * dot(qt, k_extra + h * d.D, d.D) : 0.0f;
    }
}

// A [H, T, Tk] (zero right of the visible keys) and a' [H, T] from S and s'.
void weights(const Dims& d, const AttentionVariant& variant, const float* S, const float* s_extra, float* A,
             float* a_extra) {
#pragma omp parallel for schedule(static)
  for (int64_t h = 0; h < d.H; ++h) {
    std::vector<float> saved(static_cast<size_t>(d.Tk));
    for (int64_t t = 0; t < d.T; ++t) {
      const int64_t r = h * d.T + t, n = d.visible(t);
      float* row = A + r * d.Tk;
      variant.weights_forward(S + r * d.Tk, n, s_extra[r], saved.data(), a_extra + r);
      if (variant.saved_is_weights())
        std::copy(saved.begin(), saved.begin() + n, row);
      else
        variant.effective_weights(saved.data(), n, row);
      std::fill(row + n, row + d.Tk, 0.0f);
    }
  }
}

// z [T, H, D] = A V + a' v' (v' only for variants with an extra value).
void weighted_values(const Dims& d, const float* A, const float* a_extra, const float* v, const float* v_extra,
                     float* z) {
  const int64_t group = d.H / d.KV;
#pragma omp parallel for schedule(static)
  for (int64_t h = 0; h < d.H; ++h)
    for (int64_t t = 0; t < d.T; ++t) {
      float* zt = z + (t * d.H + h) * d.D;
      const float* row = A + (h * d.T + t) * d.Tk;
      for (int64_t i = 0; i < d.D; ++i) zt[i] = 0.0f;
      for (int64_t j = 0; j < d.visible(t); ++j) {
        const float* vj = v + (j * d.KV + h / group) * d.D;
        for (int64_t i = 0; i < d.D; ++i) zt[i] += row[j] * vj[i];
      }
      if (v_extra)
        for (int64_t i = 0; i < d.D; ++i) zt[i] += a_extra[h * d.T + t] * v_extra[h * d.D + i];
    }
}

// g [T, H] = gate(x W_g^T + b_g) from the attention input x [T, d_model].
void gates(const Dims& d, const AttentionVariant& variant, const float* x, int64_t d_model, const float* w,
           const float* b, float* g) {
  for (int64_t t = 0; t < d.T; ++t)
    for (int64_t h = 0; h < d.H; ++h)
      g[t * d.H + h] = variant.gate(dot(x + t * d_model, w + h * d_model, d_model) + (b ? b[h] : 0.0f));
}

}  // namespace

void variant_attention(const ForwardContext& ctx, int64_t layer, const float* x, const float* q, const float* k,
                       const float* v, int64_t keys, float* z) {
  const ModelConfig& c = ctx.config;
  const Dims d{ctx.tokens, keys, c.n_heads, c.n_kv_heads, c.d_head, ctx.first_position};
  const std::unique_ptr<AttentionVariant> variant =
      make_attention_variant(c.attention_variant, VariantOptions{c.max_positions});
  const VariantParts parts = variant->parts();
  const AttentionWeights& w = ctx.layer(layer).attn;
  const float scale = static_cast<float>(c.attn_scale.value_or(1.0 / std::sqrt(static_cast<double>(d.D))));
  std::vector<float> S(static_cast<size_t>(d.H * d.T * d.Tk)), s_extra(static_cast<size_t>(d.H * d.T));
  scores(d, q, k, parts.extra_key ? w.extra_k : nullptr, scale, S.data(), s_extra.data());
  ctx.hook(layer, HookPoint::AttnScores, S.data(), {d.H, d.T, d.Tk});
  if (parts.extra_key) ctx.hook(layer, HookPoint::ExtraScore, s_extra.data(), {d.H, d.T});
  std::vector<float> A(S.size()), a_extra(s_extra.size());
  weights(d, *variant, S.data(), s_extra.data(), A.data(), a_extra.data());
  ctx.hook(layer, HookPoint::Pattern, A.data(), {d.H, d.T, d.Tk});
  if (has_extra_slot(parts)) ctx.hook(layer, HookPoint::ExtraWeight, a_extra.data(), {d.H, d.T});
  weighted_values(d, A.data(), a_extra.data(), v, parts.extra_value ? w.extra_v : nullptr, z);
  if (!parts.gate) return;
  std::vector<float> g(static_cast<size_t>(d.T * d.H));
  gates(d, *variant, x, c.d_model, w.head_gate, w.head_gate_bias, g.data());
  ctx.hook(layer, HookPoint::Gate, g.data(), {d.T, d.H});
  for (int64_t t = 0; t < d.T; ++t)
    for (int64_t h = 0; h < d.H; ++h)
      for (int64_t i = 0; i < d.D; ++i) z[(t * d.H + h) * d.D + i] *= g[t * d.H + h];
}

}  // namespace osc
