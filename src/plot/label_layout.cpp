#include "plot/label_layout.h"

#include <algorithm>
#include <cmath>

namespace osc::plot {

bool labels_overlap(const StackedLabel& a, const StackedLabel& b, double gap_mm) {
  return std::fabs(a.across_mm - b.across_mm) < 0.5 * (a.height_mm + b.height_mm) + gap_mm;
}

std::vector<size_t> non_overlapping_labels(const std::vector<StackedLabel>& labels, double gap_mm) {
  std::vector<size_t> kept;
  const auto try_keep = [&](size_t i) {
    for (size_t k : kept)
      if (labels_overlap(labels[i], labels[k], gap_mm)) return;
    kept.push_back(i);
  };
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i].priority) try_keep(i);
  for (size_t i = 0; i < labels.size(); ++i)
    if (!labels[i].priority) try_keep(i);
  std::sort(kept.begin(), kept.end());
  return kept;
}

double integer_tick_step(double lo, double hi, int max_ticks) {
  const double span = std::max(hi - lo, 1.0);
  for (double scale = 1.0;; scale *= 10.0)
    for (double m : {1.0, 2.0, 5.0})
      if (span / (m * scale) <= max_ticks) return m * scale;
}

}  // namespace osc::plot
