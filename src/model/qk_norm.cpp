#include "model/qk_norm.h"

#include "kernels/norm.h"

namespace osc {
namespace {

void normalize_heads(const ForwardContext& ctx, const NormWeights& w, float* x, int64_t heads) {
  layer_norm(x, ctx.tokens * heads, ctx.config.d_head, w.weight, w.bias, ctx.config.norm_eps, x);
}

}  // namespace

void apply_qk_norm(const ForwardContext& ctx, const AttentionWeights& w, float* q, float* k) {
  normalize_heads(ctx, w.q_norm, q, ctx.config.n_heads);
  normalize_heads(ctx, w.k_norm, k, ctx.config.n_kv_heads);
}

}  // namespace osc
