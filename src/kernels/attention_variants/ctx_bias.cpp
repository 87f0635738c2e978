// ctx_bias (An et al. Sec. 5): softmax(QK^T / sqrt(d)) V + softmax(Q [K^T k'] / sqrt(d)) [0; v'^T].
// The attention to the real keys is a plain softmax; v' is added with the weight that k' would get
// in the softmax extended by k' (a context-dependent bias). Saved: the plain softmax a and that
// extended weight a_extra; the extended weights of real keys are a_j * (1 - a_extra).
#include <cmath>

#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

class CtxBias final : public AttentionVariant {
 public:
  std::string_view name() const override { return "ctx_bias"; }
  VariantParts parts() const override { return {.extra_key = true, .extra_value = true, .gate = false}; }
  void weights_forward(const float* s, int64_t n, float s_extra, float* saved, float* a_extra) const override {
    float m = s[0];
    for (int64_t j = 1; j < n; ++j) m = std::max(m, s[j]);
    float sum = 0.0f;
    for (int64_t j = 0; j < n; ++j) {
      saved[j] = std::exp(s[j] - m);
      sum += saved[j];
    }
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j < n; ++j) saved[j] *= inv;
    // Extended weight of k': 1 / (1 + sum_j exp(s_j - s_extra)), computed without overflow.
    const float log_rest = m + std::log(sum) - s_extra;  // log(sum_j exp(s_j)) - s_extra
    *a_extra = 1.0f / (1.0f + std::exp(log_rest));
  }
  void weights_backward(const float* saved, float a_extra, int64_t n, float* d, float* d_extra) const override {
    // The extended softmax only feeds its k' weight: dL/ds_j gets -a2_j a_extra g with
    // a2_j = a_j (1 - a_extra), and dL/ds_extra = a_extra (1 - a_extra) g.
    const float g = *d_extra;
    softmax_row_backward(saved, 0.0f, n, false, d, nullptr);
    const float coupling = (1.0f - a_extra) * a_extra * g;
    for (int64_t j = 0; j < n; ++j) d[j] -= saved[j] * coupling;
    *d_extra = a_extra * (1.0f - a_extra) * g;
  }
};

}  // namespace

std::unique_ptr<AttentionVariant> make_ctx_bias_variant(const VariantOptions&) { return std::make_unique<CtxBias>(); }

}  // namespace osc
