#include "kernels/norm.h"

#include <cmath>

namespace osc {

void rms_norm(const float* x, int64_t tokens, int64_t dim, const float* weight, double eps, float* out) {
#pragma omp parallel for schedule(static) if (tokens * dim > 262144)
  for (int64_t t = 0; t < tokens; ++t) {
    const float* row = x + t * dim;
    double sum_sq = 0.0;
    for (int64_t i = 0; i < dim; ++i) sum_sq += static_cast<double>(row[i]) * row[i];
    const float inv = static_cast<float>(1.0 / std::sqrt(sum_sq / static_cast<double>(dim) + eps));
    float* dst = out + t * dim;
    for (int64_t i = 0; i < dim; ++i) dst[i] = row[i] * inv * (weight ? weight[i] : 1.0f);
  }
}

void layer_norm(const float* x, int64_t tokens, int64_t dim, const float* weight, const float* bias,
                double eps, float* out) {
#pragma omp parallel for schedule(static) if (tokens * dim > 262144)
  for (int64_t t = 0; t < tokens; ++t) {
    const float* row = x + t * dim;
    double sum = 0.0;
    for (int64_t i = 0; i < dim; ++i) sum += row[i];
    const double mean = sum / static_cast<double>(dim);
    double var = 0.0;
    for (int64_t i = 0; i < dim; ++i) var += (row[i] - mean) * (row[i] - mean);
    const double inv = 1.0 / std::sqrt(var / static_cast<double>(dim) + eps);
    float* dst = out + t * dim;
    for (int64_t i = 0; i < dim; ++i) {
      float v = static_cast<float>((row[i] - mean) * inv);
      if (weight) v *= weight[i];
      if (bias) v += bias[i];
      dst[i] = v;
    }
  }
}

void norm_scale_shift(float* x, int64_t tokens, int64_t dim, const float* weight, const float* bias) {
  if (!weight && !bias) return;
#pragma omp parallel for schedule(static) if (tokens * dim > 262144)
  for (int64_t t = 0; t < tokens; ++t) {
    float* row = x + t * dim;
    for (int64_t i = 0; i < dim; ++i) {
      float v = row[i];
      if (weight) v *= weight[i];
      if (bias) v += bias[i];
      row[i] = v;
    }
  }
}

}  // namespace osc
