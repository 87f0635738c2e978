// softmax1 ("off-by-one" softmax, Miller 2023): exp(s_j) / (1 + sum_k exp(s_k)), i.e. a softmax with
// an extra logit fixed at 0 whose value is the zero vector, so a head can attend to nothing.
#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class Softmax1 final : public AttentionVariant {
 public:
  std::string_view name() const override { return "softmax1"; }
  VariantParts parts() const override {
    return {.extra_key = false, .extra_value = false, .gate = false, .implicit_slot = true};
  }
  void weights_forward(const float* s, int64_t n, float, float* saved, float* a_extra) const override {
    *a_extra = softmax_row(s, n, true, 0.0f, saved);  // weight of the implicit zero value (a hook value)
  }
  void weights_backward(const float* saved, float, int64_t n, float* d, float*) const override {
    // The implicit slot carries a zero value, so dL/da for it is 0 and it drops out of the sum.
    softmax_row_backward(saved, 0.0f, n, false, d, nullptr);
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_softmax1_variant(const VariantOptions&) { return std::make_unique<Softmax1>(); }

}  // namespace osc
