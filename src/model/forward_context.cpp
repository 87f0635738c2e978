#include "model/forward_context.h"

#include "kernels/norm.h"
#include "model/hook_points.h"

namespace osc {

void ForwardContext::hook(int64_t layer, const std::string& suffix, float* data, const Shape& shape) const {
  if (hooks.empty()) return;
  hooks.on(block_hook(layer, suffix), data, shape);
}

void ForwardContext::hook(const std::string& name, float* data, const Shape& shape) const {
  if (hooks.empty()) return;
  hooks.on(name, data, shape);
}

bool ForwardContext::active(int64_t layer, const std::string& suffix) const {
  return !hooks.empty() && hooks.active(block_hook(layer, suffix));
}

void ForwardContext::norm(const std::string& name, const float* x, float* out) const {
  const float* w = weights.f32_or_null(name);
  if (config.norm == NormType::RMSNorm) {
    rms_norm(x, tokens, config.d_model, w, config.norm_eps, out);
  } else {
    layer_norm(x, tokens, config.d_model, w, weights.f32_or_null(name + ".bias"), config.norm_eps, out);
  }
}

}  // namespace osc
