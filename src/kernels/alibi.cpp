#include "kernels/alibi.h"

#include <cmath>

namespace osc {

std::vector<float> alibi_slopes(int64_t n_heads, double bias_max) {
  int64_t padded = 1;
  while (padded < n_heads) padded *= 2;
  std::vector<float> all(static_cast<size_t>(padded));
  for (int64_t h = 0; h < padded; ++h)
    all[h] = static_cast<float>(std::pow(2.0, -bias_max * static_cast<double>(h + 1) / static_cast<double>(padded)));
  if (padded == n_heads) return all;
  std::vector<float> slopes;
  for (int64_t h = 1; h < padded && static_cast<int64_t>(slopes.size()) < n_heads; h += 2) slopes.push_back(all[h]);
  for (int64_t h = 0; h < padded && static_cast<int64_t>(slopes.size()) < n_heads; h += 2) slopes.push_back(all[h]);
  return slopes;
}

}  // namespace osc
