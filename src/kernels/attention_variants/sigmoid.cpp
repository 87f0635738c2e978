// sigmoid attention (An et al. Sec. 5; Ramapuram et al. 2024): sigmoid(QK^T / sqrt(d) - log T) V,
// no normalisation across keys. T is the model's context length (a constant, so inference on a
// shorter prompt computes the same function as training).
#include <cmath>

#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class Sigmoid final : public AttentionVariant {
 public:
  explicit Sigmoid(int64_t context) : log_t_(std::log(static_cast<float>(context))) {}
  std::string_view name() const override { return "sigmoid"; }
  void weights_forward(const float* s, int64_t n, float, float* saved, float* a_extra) const override {
    for (int64_t j = 0; j < n; ++j) saved[j] = 1.0f / (1.0f + std::exp(log_t_ - s[j]));
    *a_extra = 0.0f;
  }
  void weights_backward(const float* saved, float, int64_t n, float* d, float*) const override {
    for (int64_t j = 0; j < n; ++j) d[j] *= saved[j] * (1.0f - saved[j]);
  }

 private:
  float log_t_;
};

}  // namespace

std::unique_ptr<AttentionVariant> make_sigmoid_variant(const VariantOptions& o) {
  return std::make_unique<Sigmoid>(o.context);
}

}  // namespace osc
