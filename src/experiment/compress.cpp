#include "experiment/compress.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace osc::experiment {
namespace {

void quantize_block(std::span<float> block) {
  float absmax = 0.0f;
  for (float v : block) absmax = std::max(absmax, std::fabs(v));
  if (absmax == 0.0f) return;
  const float scale = absmax / 127.0f;
  for (float& v : block) v = std::nearbyint(v / scale) * scale;
}

}  // namespace

void fake_quant_int8_per_tensor(std::span<float> values) { quantize_block(values); }

void fake_quant_int8_per_row(std::span<float> values, int64_t row_length) {
  const size_t n = static_cast<size_t>(row_length);
  for (size_t start = 0; start + n <= values.size(); start += n) quantize_block(values.subspan(start, n));
}

void prune_by_magnitude(std::span<float> values, double fraction) {
  const size_t n_prune = static_cast<size_t>(std::floor(fraction * static_cast<double>(values.size())));
  if (n_prune == 0) return;
  // Stable order by magnitude so that ties are pruned in index order (deterministic, like
  // torch.sort(stable=True) in the reference).
  std::vector<uint32_t> order(values.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return std::fabs(values[a]) < std::fabs(values[b]); });
  for (size_t i = 0; i < n_prune; ++i) values[order[i]] = 0.0f;
}

}  // namespace osc::experiment
