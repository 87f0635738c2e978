// gated attention (Bondarenko et al. 2023): sigmoid(x.W_g[h] + b_g[h]) * softmax(QK^T / sqrt(d)) V,
// a per-head gate from the attention input that lets a head switch its update off without
// concentrating attention on a no-op token.
#include <cmath>

#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class Gated final : public AttentionVariant {
 public:
  std::string_view name() const override { return "gated"; }
  VariantParts parts() const override { return {.extra_key = false, .extra_value = false, .gate = true}; }
  void weights_forward(const float* s, int64_t n, float, float* saved, float* a_extra) const override {
    softmax_row(s, n, false, 0.0f, saved);
    *a_extra = 0.0f;
  }
  void weights_backward(const float* saved, float, int64_t n, float* d, float*) const override {
    softmax_row_backward(saved, 0.0f, n, false, d, nullptr);
  }
  float gate(float z) const override { return 1.0f / (1.0f + std::exp(-z)); }
  float gate_derivative(float z) const override {
    const float sig = 1.0f / (1.0f + std::exp(-z));
    return sig * (1.0f - sig);
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_gated_variant(const VariantOptions&) { return std::make_unique<Gated>(); }

}  // namespace osc
