// fixed_bias (An et al. Sec. 5): softmax(QK^T / sqrt(d)) V + v', a learned per-head value bias that
// every position receives with weight 1.
#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class FixedBias final : public AttentionVariant {
 public:
  std::string_view name() const override { return "fixed_bias"; }
  VariantParts parts() const override { return {.extra_key = false, .extra_value = true, .gate = false}; }
  void weights_forward(const float* s, int64_t n, float, float* saved, float* a_extra) const override {
    softmax_row(s, n, false, 0.0f, saved);
    *a_extra = 1.0f;
  }
  void weights_backward(const float* saved, float, int64_t n, float* d, float* d_extra) const override {
    softmax_row_backward(saved, 0.0f, n, false, d, nullptr);
    *d_extra = 0.0f;  // the weight of v' is the constant 1
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_fixed_bias_variant(const VariantOptions&) { return std::make_unique<FixedBias>(); }

}  // namespace osc
