#include "train/adamw.h"

#include <cmath>

namespace osc::train {

AdamW::AdamW(const ParamStore& params, AdamWSettings settings) : settings_(settings) {
  m.assign(static_cast<size_t>(params.total()), 0.0f);
  v.assign(static_cast<size_t>(params.total()), 0.0f);
  for (const auto& e : params.entries()) decays_.push_back(e.spec.shape.size() >= 2 ? 1 : 0);
}

void AdamW::update(ParamStore& params, double lr) {
  ++step_;
  const double bc1 = 1.0 - std::pow(settings_.beta1, static_cast<double>(step_));
  const double bc2 = 1.0 - std::pow(settings_.beta2, static_cast<double>(step_));
  const float step_size = static_cast<float>(lr / bc1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  const float b1 = static_cast<float>(settings_.beta1), b2 = static_cast<float>(settings_.beta2);
  const float eps = static_cast<float>(settings_.eps);
  const auto& entries = params.entries();
  for (size_t k = 0; k < entries.size(); ++k) {
    const float keep = decays_[k] ? static_cast<float>(1.0 - lr * settings_.weight_decay) : 1.0f;
    const int64_t begin = entries[k].offset, end = begin + entries[k].numel;
    float* p = params.values.data();
    const float* g = params.grads.data();
#pragma omp parallel for schedule(static)
    for (int64_t i = begin; i < end; ++i) {
      p[i] *= keep;
      m[i] = m[i] * b1 + g[i] * (1.0f - b1);
      v[i] = v[i] * b2 + g[i] * g[i] * (1.0f - b2);
      p[i] -= step_size * m[i] / (std::sqrt(v[i]) / bc2_sqrt + eps);
    }
  }
}

double clip_grad_norm(ParamStore& params, double max_norm) {
  double sum = 0.0;
  for (float g : params.grads) sum += static_cast<double>(g) * g;
  const double norm = std::sqrt(sum);
  if (max_norm > 0.0 && norm > max_norm) {
    const float coef = static_cast<float>(max_norm / (norm + 1e-6));
    for (float& g : params.grads) g *= coef;
  }
  return norm;
}

double learning_rate_at(int64_t step, double lr, int64_t warmup, int64_t steps) {
  const double min_lr = lr / 10.0;
  if (step < warmup) return lr * static_cast<double>(step + 1) / static_cast<double>(warmup + 1);
  if (step >= steps) return min_lr;
  const double ratio = static_cast<double>(step - warmup) / static_cast<double>(std::max<int64_t>(1, steps - warmup));
  return min_lr + 0.5 * (1.0 + std::cos(M_PI * ratio)) * (lr - min_lr);
}

}  // namespace osc::train
