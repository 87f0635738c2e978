// The MLP sublayer: gated (act(gate) · up → down), plain (act(fc1) → fc2), or Mixtral's sparse
// mixture of gated experts, with the mlp.* hook points (docs/hooks.md).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "kernels/activation.h"
#include "kernels/matmul.h"
#include "model/forward_context.h"

namespace osc {
namespace {

std::vector<float> project(const ForwardContext& ctx, const float* h, int64_t tokens, const std::string& name) {
  const TensorView& w = ctx.weights.get(name);
  std::vector<float> out(static_cast<size_t>(tokens * w.rows()));
  linear(h, tokens, w, ctx.weights.f32_or_null(name + ".bias"), out.data());
  return out;
}

void dense_mlp(const ForwardContext& ctx, int64_t layer, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  const int64_t T = ctx.tokens, F = c.d_ff;
  const std::string p = "blocks." + std::to_string(layer) + ".mlp.";
  std::vector<float> pre = project(ctx, h, T, p + (c.gated_mlp ? "gate" : "up"));  // [T, d_ff]
  ctx.hook(layer, "mlp.hook_pre", pre.data(), {T, F});
  if (c.gated_mlp) {
    std::vector<float> up = project(ctx, h, T, p + "up");  // [T, d_ff]
    ctx.hook(layer, "mlp.hook_pre_linear", up.data(), {T, F});
    apply_gated_activation(c.activation, pre.data(), up.data(), T * F);
  } else {
    apply_activation(c.activation, pre.data(), T * F);
  }
  ctx.hook(layer, "mlp.hook_post", pre.data(), {T, F});
  linear(pre.data(), T, ctx.weights.get(p + "down"), ctx.weights.f32_or_null(p + "down.bias"), out);
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

// One expert over the tokens routed to it; adds weight · expert(h) into out.
void run_expert(const ForwardContext& ctx, const std::string& p, const float* h, const std::vector<int64_t>& rows,
                const std::vector<float>& gate_weights, float* out) {
  const ModelConfig& c = ctx.config;
  const int64_t n = static_cast<int64_t>(rows.size()), d = c.d_model;
  std::vector<float> x(static_cast<size_t>(n * d));  // [n, d_model] gathered rows
  for (int64_t i = 0; i < n; ++i) std::copy_n(h + rows[i] * d, d, x.data() + i * d);
  std::vector<float> gate = project(ctx, x.data(), n, p + "gate"), up = project(ctx, x.data(), n, p + "up");
  apply_gated_activation(c.activation, gate.data(), up.data(), n * c.d_ff);
  std::vector<float> y = project(ctx, gate.data(), n, p + "down");  // [n, d_model]
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) out[rows[i] * d + j] += gate_weights[i] * y[i * d + j];
}

void moe_mlp(const ForwardContext& ctx, int64_t layer, const float* h, float* out) {
  const ModelConfig& c = ctx.config;
  const int64_t T = ctx.tokens, E = c.n_experts;
  const std::string p = "blocks." + std::to_string(layer) + ".mlp.";
  std::vector<float> logits = project(ctx, h, T, p + "router");  // [T, n_experts]
  ctx.hook(layer, "mlp.hook_router_logits", logits.data(), {T, E});
  std::vector<float> weights = route(c, logits, T);  // [T, n_experts]
  ctx.hook(layer, "mlp.hook_expert_weights", weights.data(), {T, E});
  std::fill_n(out, T * c.d_model, 0.0f);
  for (int64_t e = 0; e < E; ++e) {
    std::vector<int64_t> rows;
    std::vector<float> gate_weights;
    for (int64_t t = 0; t < T; ++t)
      if (weights[t * E + e] != 0.0f) {
        rows.push_back(t);
        gate_weights.push_back(weights[t * E + e]);
      }
    if (!rows.empty()) run_expert(ctx, p + "experts." + std::to_string(e) + ".", h, rows, gate_weights, out);
  }
}

}  // namespace

void mlp_block(const ForwardContext& ctx, int64_t layer, const float* h, float* out) {
  if (ctx.config.n_experts > 0) moe_mlp(ctx, layer, h, out);
  else dense_mlp(ctx, layer, h, out);
}

}  // namespace osc
