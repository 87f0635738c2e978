#include "analysis/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace osc::analysis {

double median_of(std::vector<float> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

double median_abs(const float* values, int64_t n) {
  std::vector<float> magnitudes(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (int64_t i = 0; i < n; ++i) magnitudes[static_cast<size_t>(i)] = std::fabs(values[i]);
  return median_of(std::move(magnitudes));
}

std::vector<int64_t> top_k_indices(const float* values, int64_t n, int64_t k) {
  k = std::clamp<int64_t>(k, 0, n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  auto larger = [values](int64_t a, int64_t b) {
    return values[a] > values[b] || (values[a] == values[b] && a < b);
  };
  std::partial_sort(order.begin(), order.begin() + k, order.end(), larger);
  order.resize(static_cast<size_t>(k));
  return order;
}

std::vector<int64_t> top_k_indices(const std::vector<float>& values, int64_t k) {
  return top_k_indices(values.data(), static_cast<int64_t>(values.size()), k);
}

double next_token_nll(const float* row, int64_t vocab, int32_t target) {
  double max_v = row[0];
  for (int64_t v = 1; v < vocab; ++v) max_v = std::max(max_v, static_cast<double>(row[v]));
  double sum = 0.0;
  for (int64_t v = 0; v < vocab; ++v) sum += std::exp(static_cast<double>(row[v]) - max_v);
  return std::log(sum) + max_v - static_cast<double>(row[target]);
}

}  // namespace osc::analysis
