#include "model/forward_context.h"

#include "kernels/bf16_matmul.h"
#include "kernels/bf16_round.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"

namespace osc {

void ForwardContext::hook(HookPoint p, float* data, const Shape& shape) const {
  if (hooks.empty()) return;
  hooks.on(hook_name(p), data, shape);
}

void ForwardContext::hook(int64_t layer, HookPoint p, float* data, const Shape& shape) const {
  if (hooks.empty()) return;
  hooks.on(hook_name(layer, p), data, shape);
}

void ForwardContext::hook(int64_t layer, int64_t expert, HookPoint p, float* data, const Shape& shape) const {
  if (hooks.empty()) return;
  hooks.on(hook_name(layer, expert, p), data, shape);
}

bool ForwardContext::active(int64_t layer, HookPoint p) const {
  return !hooks.empty() && hooks.active(hook_name(layer, p));
}

bool ForwardContext::active(int64_t layer, int64_t expert, HookPoint p) const {
  return !hooks.empty() && hooks.active(hook_name(layer, expert, p));
}

bool ForwardContext::intervenes(int64_t layer, HookPoint p) const {
  return !hooks.empty() && hooks.intervenes(hook_name(layer, p));
}

void ForwardContext::norm(const NormWeights& w, int64_t layer, HookPoint p, const float* x, float* out) const {
  normalize(x, out);
  round_rms_normalized(out);
  hook(layer, p, out, {tokens, config.d_model});
  scale_shift(w, out);
}

void ForwardContext::norm(const NormWeights& w, HookPoint p, const float* x, float* out) const {
  normalize(x, out);
  round_rms_normalized(out);
  hook(p, out, {tokens, config.d_model});
  scale_shift(w, out);
}

// HF LlamaRMSNorm: `weight * hidden_states.to(input_dtype)`, the normalised value is a bf16 tensor.
void ForwardContext::round_rms_normalized(float* x) const {
  round_if(bf16() && config.norm == NormType::RMSNorm, x, tokens * config.d_model);
}

void ForwardContext::normalize(const float* x, float* out) const {
  if (config.norm == NormType::RMSNorm) {
    rms_norm(x, tokens, config.d_model, nullptr, config.norm_eps, out);
  } else {
    layer_norm(x, tokens, config.d_model, nullptr, nullptr, config.norm_eps, out);
  }
}

void ForwardContext::scale_shift(const NormWeights& w, float* x) const {
  norm_scale_shift(x, tokens, config.d_model, w.weight, w.bias);
  round_if(bf16(), x, tokens * config.d_model);
}

void project_into(const ForwardContext& ctx, const float* x, int64_t rows, const LinearWeights& w, float* out) {
  if (ctx.bf16()) {
    linear_bf16(x, rows, w.weight, w.bias, out);
    round_to_bf16(out, rows * w.weight.rows());
    return;
  }
  linear(x, rows, w.weight, w.bias, out);
}

std::vector<float> project(const ForwardContext& ctx, const float* x, int64_t rows, const LinearWeights& w) {
  std::vector<float> out(static_cast<size_t>(rows * w.weight.rows()));
  project_into(ctx, x, rows, w, out.data());
  return out;
}

}  // namespace osc
