#include "train/adamw.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "train/parallel.h"

namespace osc::train {

AdamW::AdamW(const ParamStore& params, AdamWSettings settings) : settings_(settings) {
  m.assign(static_cast<size_t>(params.total()), 0.0f);
  v.assign(static_cast<size_t>(params.total()), 0.0f);
  for (const auto& e : params.entries()) decays_.push_back(e.spec.shape.size() >= 2 ? 1 : 0);
}

void AdamW::update(ParamStore& params, double lr, float grad_scale) {
  ++step_;
  const double bc1 = 1.0 - std::pow(settings_.beta1, static_cast<double>(step_));
  const double bc2 = 1.0 - std::pow(settings_.beta2, static_cast<double>(step_));
  const float step_size = static_cast<float>(lr / bc1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  const float b1 = static_cast<float>(settings_.beta1), b2 = static_cast<float>(settings_.beta2);
  const float eps = static_cast<float>(settings_.eps);
  const float decayed = static_cast<float>(1.0 - lr * settings_.weight_decay);
  const auto& entries = params.entries();
  float* p = params.values.data();
  const float* grads = params.grads.data();
  float* mv = m.data();
  float* vv = v.data();
  // One parallel region; each thread takes its share of every tensor and runs on into the next one.
  parallel_run([&](int t, int nt) {
    for (size_t k = 0; k < entries.size(); ++k) {
      const float keep = decays_[k] ? decayed : 1.0f;
      const int64_t offset = entries[k].offset, numel = entries[k].numel;
      const int64_t begin = offset + share_begin(numel, t, nt), end = offset + share_end(numel, t, nt);
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) {
        const float g = grads[i] * grad_scale;
        p[i] *= keep;
        mv[i] = mv[i] * b1 + g * (1.0f - b1);
        vv[i] = vv[i] * b2 + g * g * (1.0f - b2);
        p[i] -= step_size * mv[i] / (std::sqrt(vv[i]) / bc2_sqrt + eps);
      }
    }
  });
}

double grad_norm(const ParamStore& params) {
  const float* g = params.grads.data();
  const int64_t n = params.total();
  // Per-thread partial sums over a static split, added in thread order: reproducible per thread count.
  std::vector<double> partial(static_cast<size_t>(parallel_threads()), 0.0);
  parallel_run([&](int t, int nt) {
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = share_begin(n, t, nt); i < share_end(n, t, nt); ++i) sum += static_cast<double>(g[i]) * g[i];
    partial[static_cast<size_t>(t)] = sum;
  });
  double total = 0.0;
  for (double s : partial) total += s;
  return std::sqrt(total);
}

float clip_scale(double norm, double max_norm) {
  return max_norm > 0.0 && norm > max_norm ? static_cast<float>(max_norm / (norm + 1e-6)) : 1.0f;
}

double clip_grad_norm(ParamStore& params, double max_norm) {
  const double norm = grad_norm(params);
  const float scale = clip_scale(norm, max_norm);
  if (scale != 1.0f)
    for (float& g : params.grads) g *= scale;
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
