#include "model/forward.h"

#include <string>

#include "core/error.h"
#include "kernels/bf16_round.h"
#include "model/forward_context.h"

namespace osc {
namespace {

void check_tokens(const ModelConfig& c, const std::vector<int32_t>& tokens, int64_t cached) {
  const int64_t T = static_cast<int64_t>(tokens.size());
  OSC_CHECK_INPUT(T > 0, "forward", "no tokens to run");
  OSC_CHECK_INPUT(c.max_positions <= 0 || T <= c.max_positions - cached, "forward",
                  "the input has " + std::to_string(cached + T) + " tokens" +
                      (cached > 0 ? " (" + std::to_string(cached) + " of them cached)" : std::string()) +
                      " but the model's context is " + std::to_string(c.max_positions) + " tokens");
  for (int32_t id : tokens)
    OSC_CHECK_INPUT(id >= 0 && id < c.vocab_size, "forward",
                    "token id " + std::to_string(id) + " is outside the vocabulary [0, " + std::to_string(c.vocab_size) + ")");
}

// x [T, d_model] = embed[tokens] (+ pos_embed[first_position + t + offset]).
Tensor embed(const ForwardContext& ctx, const std::vector<int32_t>& tokens) {
  const ModelConfig& c = ctx.config;
  const int64_t T = ctx.tokens, d = c.d_model;
  Tensor x({T, d});
  for (int64_t t = 0; t < T; ++t) ctx.weights.embed.row_to_f32(tokens[t], x.ptr() + t * d);
  ctx.hook(HookPoint::Embed, x.ptr(), x.shape);
  if (c.positional != Positional::Learned) return x;
  Tensor pos({T, d});
  for (int64_t t = 0; t < T; ++t)
    ctx.weights.pos_embed.row_to_f32(ctx.first_position + t + c.position_offset, pos.ptr() + t * d);
  ctx.hook(HookPoint::PosEmbed, pos.ptr(), pos.shape);
  for (int64_t i = 0; i < T * d; ++i) x.data[i] += pos.data[i];
  round_if(ctx.bf16(), x.ptr(), T * d);
  return x;
}

// The residual add x += y (a bf16 tensor in a bf16 pass).
void add_into(const ForwardContext& ctx, Tensor& x, const Tensor& y) {
  for (int64_t i = 0; i < x.numel(); ++i) x.data[i] += y.data[i];
  round_if(ctx.bf16(), x.ptr(), x.numel());
}

// One block on the residual stream x [T, d_model], in place.
void block(const ForwardContext& ctx, int64_t l, Tensor& x) {
  const ModelConfig& c = ctx.config;
  const BlockWeights& w = ctx.layer(l);
  const Shape shape = x.shape;
  ctx.hook(l, HookPoint::ResidPre, x.ptr(), shape);
  Tensor h(shape), attn_out(shape), mlp_out(shape);
  ctx.norm(w.ln1, l, HookPoint::Ln1Normalized, x.ptr(), h.ptr());
  attention_block(ctx, l, h.ptr(), attn_out.ptr());
  if (c.parallel_block) {
    // Both branches read resid_pre: through the one shared norm, or through their own.
    if (!c.parallel_shared_norm) ctx.norm(w.ln2, l, HookPoint::Ln2Normalized, x.ptr(), h.ptr());
    mlp_block(ctx, l, h.ptr(), mlp_out.ptr());
    ctx.hook(l, HookPoint::MlpOut, mlp_out.ptr(), shape);
    add_into(ctx, x, attn_out);
  } else {
    add_into(ctx, x, attn_out);
    ctx.hook(l, HookPoint::ResidMid, x.ptr(), shape);
    ctx.norm(w.ln2, l, HookPoint::Ln2Normalized, x.ptr(), h.ptr());
    mlp_block(ctx, l, h.ptr(), mlp_out.ptr());
    ctx.hook(l, HookPoint::MlpOut, mlp_out.ptr(), shape);
  }
  add_into(ctx, x, mlp_out);
  ctx.hook(l, HookPoint::ResidPost, x.ptr(), shape);
}

// logits [T, vocab] = head(final_norm(x [T, d_model])).
Tensor unembed(const ForwardContext& ctx, const Tensor& x) {
  Tensor normed(x.shape);
  ctx.norm(ctx.weights.ln_final, HookPoint::LnFinalNormalized, x.ptr(), normed.ptr());
  Tensor logits({ctx.tokens, ctx.config.vocab_size});
  project_into(ctx, normed.ptr(), ctx.tokens, ctx.weights.unembed, logits.ptr());
  ctx.hook(HookPoint::Logits, logits.ptr(), logits.shape);
  return logits;
}

}  // namespace

Tensor run_forward(const ModelConfig& c, const ForwardWeights& w, const std::vector<int32_t>& tokens, HookSet& hooks,
                   KvCache* cache) {
  if (cache && !cache->fits(c))
    throw_internal("forward", "the KV cache was made for a model with other layer or KV-head shapes");
  const int64_t cached = cache ? cache->length() : 0;
  check_tokens(c, tokens, cached);
  ForwardContext ctx{c, w, hooks, static_cast<int64_t>(tokens.size()), cache, cached};
  Tensor x = embed(ctx, tokens);
  for (int64_t l = 0; l < c.n_layers; ++l) block(ctx, l, x);
  Tensor logits = unembed(ctx, x);
  if (cache) cache->commit(ctx.tokens);
  return logits;
}

Tensor forward_embed(const ModelConfig& c, const ForwardWeights& w, const std::vector<int32_t>& tokens, HookSet& hooks,
                     const KvCache* cache) {
  const int64_t cached = cache ? cache->length() : 0;
  check_tokens(c, tokens, cached);
  return embed(ForwardContext{c, w, hooks, static_cast<int64_t>(tokens.size()), nullptr, cached}, tokens);
}

void forward_layers(const ModelConfig& c, const ForwardWeights& w, HookSet& hooks, LayerRange layers, Tensor& x,
                    KvCache* cache) {
  if (cache && !cache->fits(c))
    throw_internal("forward", "the KV cache was made for a model with other layer or KV-head shapes");
  const ForwardContext ctx{c, w, hooks, x.shape.at(0), cache, cache ? cache->length() : 0};
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) block(ctx, l, x);
  if (cache) cache->commit(ctx.tokens);
}

Tensor forward_head(const ModelConfig& c, const ForwardWeights& w, HookSet& hooks, const Tensor& x) {
  return unembed(ForwardContext{c, w, hooks, x.shape.at(0), nullptr, 0}, x);
}

}  // namespace osc
