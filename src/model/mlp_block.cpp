// The MLP sublayer: gated (act(gate) · up → down), plain (act(fc1) → fc2), or Mixtral's sparse
// mixture of gated experts, with the mlp.* hook points (docs/hooks.md; a mixture has per-expert
// points mlp.experts.{e}.hook_* and a combined mlp.hook_post).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "kernels/activation.h"
#include "kernels/bf16_round.h"
#include "model/forward_context.h"

namespace osc {
namespace {

// x = act(x) (· other): in a bf16 pass act(x) is a bf16 tensor, and so is its product with other
// (HF: `act_fn(gate_proj(x)) * up_proj(x)`).
void activate(const ForwardContext& ctx, float* x, const float* other, int64_t n) {
  const Activation act = ctx.config.activation;
  if (!ctx.bf16()) {
    if (other) apply_gated_activation(act, x, other, n);
    else apply_activation(act, x, n);
    return;
  }
  apply_activation_bf16(act, x, n);
  if (!other) return;
  for (int64_t i = 0; i < n; ++i) x[i] = round_bf16(x[i] * other[i]);
}

void dense_mlp(const ForwardContext& ctx, int64_t layer, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  const int64_t T = ctx.tokens, F = c.d_ff;
  const MlpWeights& w = ctx.layer(layer).mlp;
  std::vector<float> pre = project(ctx, h, T, c.gated_mlp ? w.gate : w.up);  // [T, d_ff]
  ctx.hook(layer, HookPoint::MlpPre, pre.data(), {T, F});
  if (c.gated_mlp) {
    std::vector<float> up = project(ctx, h, T, w.up);  // [T, d_ff]
    ctx.hook(layer, HookPoint::MlpPreLinear, up.data(), {T, F});
    activate(ctx, pre.data(), up.data(), T * F);
  } else {
    activate(ctx, pre.data(), nullptr, T * F);
  }
  ctx.hook(layer, HookPoint::MlpPost, pre.data(), {T, F});
  project_into(ctx, pre.data(), T, w.down, out);
}

// Mixtral routing: softmax over all experts, keep the top k, renormalise them to sum to one.
// Returns dense weights [T, n_experts] (zero for experts not chosen).
std::vector<float> route(const ModelConfig& c, const std::vector<float>& logits, int64_t T) {
  const int64_t E = c.n_experts, K = std::min(c.n_experts_per_token, c.n_experts);
  OSC_CHECK_INPUT(K > 0, "model", "a mixture of experts needs n_experts_per_token > 0");
  std::vector<float> weights(static_cast<size_t>(T * E), 0.0f);
  std::vector<int64_t> order(static_cast<size_t>(E));
  for (int64_t t = 0; t < T; ++t) {
    const float* row = logits.data() + t * E;
    const float max_v = *std::max_element(row, row + E);
    std::vector<double> probs(static_cast<size_t>(E));
    for (int64_t e = 0; e < E; ++e) probs[e] = std::exp(static_cast<double>(row[e] - max_v));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return probs[a] > probs[b]; });
    double kept = 0.0;
    for (int64_t i = 0; i < K; ++i) kept += probs[order[i]];
    for (int64_t i = 0; i < K; ++i) weights[t * E + order[i]] = static_cast<float>(probs[order[i]] / kept);
  }
  return weights;
}

// The tokens routed to one expert: rows of h and their routing weights.
struct Routed {
  std::vector<int64_t> rows;
  std::vector<float> weights;
};

Routed routed_to(const std::vector<float>& routing, int64_t T, int64_t E, int64_t e) {
  Routed r;
  for (int64_t t = 0; t < T; ++t)
    if (routing[t * E + e] != 0.0f) {
      r.rows.push_back(t);
      r.weights.push_back(routing[t * E + e]);
    }
  return r;
}

// Runs expert e's hook point p on its values of its routed rows, [n, F], seen as [T, F] with zero
// rows for the other tokens (docs/hooks.md); an intervention's edits of the routed rows are kept.
void expert_hook(const ForwardContext& ctx, int64_t layer, int64_t e, HookPoint p, const Routed& r,
                 std::vector<float>& values) {
  const int64_t T = ctx.tokens, F = ctx.config.d_ff;
  if (!ctx.active(layer, e, p)) return;
  std::vector<float> full(static_cast<size_t>(T * F), 0.0f);
  for (size_t i = 0; i < r.rows.size(); ++i) std::copy_n(values.data() + i * F, F, full.data() + r.rows[i] * F);
  ctx.hook(layer, e, p, full.data(), {T, F});
  for (size_t i = 0; i < r.rows.size(); ++i) std::copy_n(full.data() + r.rows[i] * F, F, values.data() + i * F);
}

// One expert's post activation act(gate) * up [n, F] over its routed rows, with its hooks.
std::vector<float> expert_post(const ForwardContext& ctx, int64_t layer, int64_t e, const float* h, const Routed& r) {
  const ModelConfig& c = ctx.config;
  const int64_t n = static_cast<int64_t>(r.rows.size()), d = c.d_model;
  const ExpertWeights& w = ctx.layer(layer).mlp.experts[static_cast<size_t>(e)];
  std::vector<float> x(static_cast<size_t>(n * d));  // [n, d_model] gathered rows
  for (int64_t i = 0; i < n; ++i) std::copy_n(h + r.rows[i] * d, d, x.data() + i * d);
  std::vector<float> gate, up;  // [n, F]; an expert no token chose still has its (zero) hooks
  if (n > 0) gate = project(ctx, x.data(), n, w.gate), up = project(ctx, x.data(), n, w.up);
  expert_hook(ctx, layer, e, HookPoint::ExpertPre, r, gate);
  expert_hook(ctx, layer, e, HookPoint::ExpertPreLinear, r, up);
  activate(ctx, gate.data(), up.data(), n * c.d_ff);
  expert_hook(ctx, layer, e, HookPoint::ExpertPost, r, gate);
  return gate;
}

// mlp.hook_post of a mixture: [T, E * F], expert e's post activations in columns e*F .. e*F+F-1
// for the tokens routed to it, zero elsewhere. Edits flow back into `posts`.
void combined_post_hook(const ForwardContext& ctx, int64_t layer, const std::vector<Routed>& routed,
                        std::vector<std::vector<float>>& posts) {
  const int64_t T = ctx.tokens, F = ctx.config.d_ff, E = static_cast<int64_t>(routed.size());
  if (!ctx.active(layer, HookPoint::MoeMlpPost)) return;
  std::vector<float> all(static_cast<size_t>(T * E * F), 0.0f);
  auto each = [&](auto&& copy) {
    for (int64_t e = 0; e < E; ++e)
      for (size_t i = 0; i < routed[e].rows.size(); ++i)
        copy(posts[e].data() + i * F, all.data() + routed[e].rows[i] * E * F + e * F);
  };
  each([&](const float* post, float* slot) { std::copy_n(post, F, slot); });
  ctx.hook(layer, HookPoint::MoeMlpPost, all.data(), {T, E * F});
  each([&](float* post, const float* slot) { std::copy_n(slot, F, post); });
}

// out [T, d_model] += routing weight · y [n_e, d_model] on the expert's routed rows; in a bf16 pass
// HF's index_add_ of the bf16 product into the bf16 output, expert after expert.
void add_expert_output(const ForwardContext& ctx, const Routed& r, const float* y, float* out) {
  const int64_t d = ctx.config.d_model;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    float* o = out + r.rows[i] * d;
    if (ctx.bf16()) {
      for (int64_t j = 0; j < d; ++j) o[j] = round_bf16(o[j] + round_bf16(r.weights[i] * y[i * d + j]));
    } else {
      for (int64_t j = 0; j < d; ++j) o[j] += r.weights[i] * y[i * d + j];
    }
  }
}

void moe_mlp(const ForwardContext& ctx, int64_t layer, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  const int64_t T = ctx.tokens, E = c.n_experts, d = c.d_model;
  const MlpWeights& w = ctx.layer(layer).mlp;
  std::vector<float> logits = project(ctx, h, T, w.router);  // [T, n_experts]
  ctx.hook(layer, HookPoint::RouterLogits, logits.data(), {T, E});
  std::vector<float> routing = route(c, logits, T);  // [T, n_experts]
  round_if(ctx.bf16(), routing.data(), T * E);       // HF: routing_weights.to(hidden_states.dtype)
  ctx.hook(layer, HookPoint::ExpertWeights, routing.data(), {T, E});
  std::vector<Routed> routed;
  std::vector<std::vector<float>> posts;  // per expert [n_e, F]
  for (int64_t e = 0; e < E; ++e) {
    routed.push_back(routed_to(routing, T, E, e));
    posts.push_back(expert_post(ctx, layer, e, h, routed.back()));
  }
  combined_post_hook(ctx, layer, routed, posts);
  std::fill_n(out, T * d, 0.0f);
  for (int64_t e = 0; e < E; ++e) {
    const Routed& r = routed[static_cast<size_t>(e)];
    if (r.rows.empty()) continue;
    const std::vector<float> y = project(ctx, posts[static_cast<size_t>(e)].data(), static_cast<int64_t>(r.rows.size()),
                                         w.experts[static_cast<size_t>(e)].down);  // [n_e, d_model]
    add_expert_output(ctx, r, y.data(), out);
  }
}

}  // namespace

void mlp_block(const ForwardContext& ctx, int64_t layer, const float* h, float* out) {
  if (ctx.config.n_experts > 0) moe_mlp(ctx, layer, h, out);
  else dense_mlp(ctx, layer, h, out);
}

}  // namespace osc
