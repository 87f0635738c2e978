// The attention sublayer: projections, RoPE, softmax attention, output projection, with the
// attn.* hook points in between (docs/hooks.md).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/alibi.h"
#include "kernels/attention.h"
#include "kernels/bf16_round.h"
#include "kernels/rope.h"
#include "model/forward_context.h"
#include "model/qk_norm.h"

namespace osc {
namespace {

// q, k or v [T, heads * D] of h [T, d_model], clipped to ±clip_qkv where the config has it (MPT).
std::vector<float> project_qkv(const ForwardContext& ctx, const float* h, const LinearWeights& w) {
  std::vector<float> out = project(ctx, h, ctx.tokens, w);
  if (ctx.config.clip_qkv) {
    const float clip = static_cast<float>(*ctx.config.clip_qkv);
    for (float& x : out) x = std::clamp(x, -clip, clip);
  }
  return out;
}

AttentionParams attention_params(const ModelConfig& c, int64_t layer, const std::vector<float>& slopes) {
  AttentionParams p;
  p.round_bf16 = c.compute == Compute::BF16;
  p.scale = static_cast<float>(c.attn_scale.value_or(1.0 / std::sqrt(static_cast<double>(c.d_head))));
  p.sliding_window = c.window_at(layer);
  if (c.positional == Positional::ALiBi) use_model_alibi(c, slopes, p);
  return p;
}

// The keys and values attention reads: this pass's own [T, KV, D], or with a cache every position
// so far [first_position + T, KV, D] after this pass's rows were stored.
struct KeysValues {
  const float* k;
  const float* v;
  int64_t positions;
};

KeysValues keys_values(const ForwardContext& ctx, int64_t layer, const std::vector<float>& k,
                       const std::vector<float>& v) {
  if (!ctx.cache) return {k.data(), v.data(), ctx.tokens};
  ctx.cache->store(layer, k.data(), v.data(), ctx.tokens);
  return {ctx.cache->keys(layer), ctx.cache->values(layer), ctx.first_position + ctx.tokens};
}

// hook_z, then out [T, d_model] = z [T, H, D] W_o^T (+ bias), hook_attn_out.
void output_projection(const ForwardContext& ctx, int64_t layer, float* z, float* out) {
  const ModelConfig& c = ctx.config;
  const LinearWeights& o = ctx.layer(layer).attn.o;
  ctx.hook(layer, HookPoint::Z, z, {ctx.tokens, c.n_heads, c.d_head});
  project_into(ctx, z, ctx.tokens, o, out);
  ctx.hook(layer, HookPoint::AttnOut, out, {ctx.tokens, c.d_model});
}

}  // namespace

void attention_block(const ForwardContext& ctx, int64_t layer, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  const int64_t T = ctx.tokens, H = c.n_heads, KV = c.n_kv_heads, D = c.d_head;
  const AttentionWeights& w = ctx.layer(layer).attn;
  std::vector<float> q = project_qkv(ctx, h, w.q), k = project_qkv(ctx, h, w.k), v = project_qkv(ctx, h, w.v);
  if (c.qk_norm) apply_qk_norm(ctx, w, q.data(), k.data());
  ctx.hook(layer, HookPoint::Q, q.data(), {T, H, D});
  ctx.hook(layer, HookPoint::K, k.data(), {T, KV, D});
  ctx.hook(layer, HookPoint::V, v.data(), {T, KV, D});
  if (c.positional == Positional::RoPE) {
    RopeParams rope = rope_params_from_config(c);
    rope.round_bf16 = ctx.bf16();
    apply_rope(q.data(), T, H, D, rope, ctx.first_position);
    apply_rope(k.data(), T, KV, D, rope, ctx.first_position);
    ctx.hook(layer, HookPoint::RotQ, q.data(), {T, H, D});
    ctx.hook(layer, HookPoint::RotK, k.data(), {T, KV, D});
  }
  const KeysValues kv = keys_values(ctx, layer, k, v);
  const int64_t Tk = kv.positions;
  if (c.attention_variant != "softmax") {
    std::vector<float> z(static_cast<size_t>(T * H * D));
    variant_attention(ctx, layer, h, q.data(), kv.k, kv.v, Tk, z.data());
    output_projection(ctx, layer, z.data(), out);
    return;
  }
  const bool want_scores = ctx.active(layer, HookPoint::AttnScores);
  const bool want_pattern = want_scores || ctx.active(layer, HookPoint::Pattern);
  std::vector<float> scores(want_scores ? static_cast<size_t>(H * T * Tk) : 0);
  std::vector<float> pattern(want_pattern ? static_cast<size_t>(H * T * Tk) : 0);
  std::vector<float> z(static_cast<size_t>(T * H * D));
  const std::vector<float> slopes = model_alibi_slopes(c);
  const AttentionShape shape{T, Tk, H, KV, D};
  attention(q.data(), kv.k, kv.v, shape, attention_params(c, layer, slopes), z.data(),
            want_scores ? scores.data() : nullptr, want_pattern ? pattern.data() : nullptr);
  if (want_scores) {
    ctx.hook(layer, HookPoint::AttnScores, scores.data(), {H, T, Tk});
    // An edited score matrix changes everything downstream of it.
    if (ctx.intervenes(layer, HookPoint::AttnScores)) {
      softmax_rows(scores.data(), H * T, Tk, pattern.data());
      round_if(ctx.bf16(), pattern.data(), H * T * Tk);
    }
  }
  if (want_pattern) {
    ctx.hook(layer, HookPoint::Pattern, pattern.data(), {H, T, Tk});
    if (ctx.intervenes(layer, HookPoint::AttnScores) || ctx.intervenes(layer, HookPoint::Pattern)) {
      pattern_times_values(pattern.data(), kv.v, shape, z.data());
      round_if(ctx.bf16(), z.data(), T * H * D);
    }
  }
  output_projection(ctx, layer, z.data(), out);
}

}  // namespace osc
