// clipped_softmax (Bondarenko et al. 2023, "Quantizable Transformers"): clip((zeta - gamma) *
// softmax(s) + gamma, 0, 1) with their language-model defaults zeta = 1, gamma = -0.03, so exact
// zeros are reachable with finite logits. The saved row is the softmax p; the weights are recomputed
// from it. As in torch.clamp, the gradient passes where 0 <= value <= 1.
#include <algorithm>

#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

constexpr float kZeta = 1.0f, kGamma = -0.03f;

class ClippedSoftmax final : public AttentionVariant {
 public:
  std::string_view name() const override { return "clipped_softmax"; }
  void weights_forward(const float* s, int64_t n, float, float* saved, float* a_extra) const override {
    softmax_row(s, n, false, 0.0f, saved);
    *a_extra = 0.0f;
  }
  bool saved_is_weights() const override { return false; }
  void effective_weights(const float* saved, int64_t n, float* a) const override {
    for (int64_t j = 0; j < n; ++j) a[j] = std::clamp((kZeta - kGamma) * saved[j] + kGamma, 0.0f, 1.0f);
  }
  void weights_backward(const float* saved, float, int64_t n, float* d, float*) const override {
    for (int64_t j = 0; j < n; ++j) {
      const float value = (kZeta - kGamma) * saved[j] + kGamma;
      d[j] = (value >= 0.0f && value <= 1.0f) ? (kZeta - kGamma) * d[j] : 0.0f;
    }
    softmax_row_backward(saved, 0.0f, n, false, d, nullptr);
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_clipped_softmax_variant(const VariantOptions&) {
  return std::make_unique<ClippedSoftmax>();
}

}  // namespace osc
