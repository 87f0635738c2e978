// softmax: standard causal attention, softmax(QK^T / sqrt(d)) V.
#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class Softmax final : public AttentionVariant {
 public:
  std::string_view name() const override { return "softmax"; }
  void weights_forward(const float* s, int64_t n, float, float* saved, float* a_extra) const override {
    softmax_row(s, n, false, 0.0f, saved);
    *a_extra = 0.0f;
  }
  void weights_backward(const float* saved, float, int64_t n, float* d, float*) const override {
    softmax_row_backward(saved, 0.0f, n, false, d, nullptr);
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_softmax_variant(const VariantOptions&) { return std::make_unique<Softmax>(); }

}  // namespace osc
