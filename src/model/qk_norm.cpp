#include "model/qk_norm.h"

#include "kernels/norm.h"

namespace osc {
namespace {

void normalize_heads(const ForwardContext& ctx, const std::string& name, float* x, int64_t heads) {
  const int64_t d_head = ctx.config.d_head;
  layer_norm(x, ctx.tokens * heads, d_head, ctx.weights.f32_or_null(name), ctx.weights.f32_or_null(name + ".bias"),
             ctx.config.norm_eps, x);
}

}  // namespace

void apply_qk_norm(const ForwardContext& ctx, int64_t layer, float* q, float* k) {
  const std::string p = "blocks." + std::to_string(layer) + ".attn.";
  normalize_heads(ctx, p + "q_norm", q, ctx.config.n_heads);
  normalize_heads(ctx, p + "k_norm", k, ctx.config.n_kv_heads);
}

}  // namespace osc
