// attn_bias (An et al. Sec. 5): softmax(Q [K^T k'] / sqrt(d)) [V; v'^T]: one learned key/value pair
// per head joins the softmax, giving heads a place to park attention (an explicit sink).
#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class AttnBias final : public AttentionVariant {
 public:
  std::string_view name() const override { return "attn_bias"; }
  VariantParts parts() const override { return {.extra_key = true, .extra_value = true, .gate = false}; }
  void weights_forward(const float* s, int64_t n, float s_extra, float* saved, float* a_extra) const override {
    *a_extra = softmax_row(s, n, true, s_extra, saved);
  }
  void weights_backward(const float* saved, float a_extra, int64_t n, float* d, float* d_extra) const override {
    softmax_row_backward(saved, a_extra, n, true, d, d_extra);
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_attn_bias_variant(const VariantOptions&) { return std::make_unique<AttnBias>(); }

}  // namespace osc
