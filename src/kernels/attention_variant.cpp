#include "kernels/attention_variant.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/fast_math.h"
#include "kernels/attention_variants/variants.h"

namespace osc {
namespace {

struct Registered {
  std::string_view name;
  std::unique_ptr<AttentionVariant> (*make)(const VariantOptions&);
};

const std::vector<Registered>& registry() {
  static const std::vector<Registered> table = {
      {"softmax", make_softmax_variant},         {"fixed_bias", make_fixed_bias_variant},
      {"ctx_bias", make_ctx_bias_variant},       {"attn_bias", make_attn_bias_variant},
      {"ctx_scale", make_ctx_scale_variant},     {"sigmoid", make_sigmoid_variant},
      {"softmax1", make_softmax1_variant},       {"clipped_softmax", make_clipped_softmax_variant},
      {"gated", make_gated_variant},
  };
  return table;
}

}  // namespace

void AttentionVariant::effective_weights(const float* saved, int64_t n, float* a) const {
  std::copy(saved, saved + n, a);
}

float AttentionVariant::gate(float) const { throw_internal("attention variant", "gate() on a variant without a gate"); }
float AttentionVariant::gate_derivative(float) const {
  throw_internal("attention variant", "gate_derivative() on a variant without a gate");
}

const AttentionVariant* find_attention_variant(std::string_view name) {
  static std::vector<std::unique_ptr<AttentionVariant>> defaults = [] {
    std::vector<std::unique_ptr<AttentionVariant>> v;
    for (const auto& r : registry()) v.push_back(r.make(VariantOptions{1}));
    return v;
  }();
  for (size_t i = 0; i < registry().size(); ++i)
    if (registry()[i].name == name) return defaults[i].get();
  return nullptr;
}

std::unique_ptr<AttentionVariant> make_attention_variant(std::string_view name, const VariantOptions& options) {
  for (const auto& r : registry())
    if (r.name == name) return r.make(options);
  throw_bad_input("--variant", "unknown attention variant '" + std::string(name) + "' (known: " + attention_variant_names() + ")");
}

std::string attention_variant_names() {
  std::string out;
  for (const auto& r : registry()) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return out;
}

float softmax_row(const float* s, int64_t n, bool use_extra, float s_extra, float* out) {
  const float m = use_extra ? std::max(s_extra, row_max(s, n)) : row_max(s, n);
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < n; ++j) {
    out[j] = fast_exp(s[j] - m);
    sum += out[j];
  }
  const float e = use_extra ? fast_exp(s_extra - m) : 0.0f;
  const float inv = 1.0f / (sum + e);
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) out[j] *= inv;
  return e * inv;
}

void softmax_row_backward(const float* a, float a_extra, int64_t n, bool use_extra, float* d, float* d_extra) {
  float dot = use_extra ? a_extra * *d_extra : 0.0f;
#pragma omp simd reduction(+ : dot)
  for (int64_t j = 0; j < n; ++j) dot += a[j] * d[j];
  for (int64_t j = 0; j < n; ++j) d[j] = a[j] * (d[j] - dot);
  if (use_extra) *d_extra = a_extra * (*d_extra - dot);
}

}  // namespace osc
