// ctx_scale (An et al. Sec. 5): S_c(x) * softmax(QK^T / sqrt(d)) V with the context-aware scaling
// factor S_c(x) = 2 * sigmoid(x.W_s[h] + b_s[h]) per head (S_c = 1 at z = 0). S_c is exported as a
// hook value.
#include <cmath>

#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class CtxScale final : public AttentionVariant {
 public:
  std::string_view name() const override { return "ctx_scale"; }
  VariantParts parts() const override { return {.extra_key = false, .extra_value = false, .gate = true}; }
  void weights_forward(const float* s, int64_t n, float, float* saved, float* a_extra) const override {
    softmax_row(s, n, false, 0.0f, saved);
    *a_extra = 0.0f;
  }
  void weights_backward(const float* saved, float, int64_t n, float* d, float*) const override {
    softmax_row_backward(saved, 0.0f, n, false, d, nullptr);
  }
  float gate(float z) const override { return 2.0f / (1.0f + std::exp(-z)); }
  float gate_derivative(float z) const override {
    const float sig = 1.0f / (1.0f + std::exp(-z));
    return 2.0f * sig * (1.0f - sig);
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_ctx_scale_variant(const VariantOptions&) { return std::make_unique<CtxScale>(); }

}  // namespace osc
