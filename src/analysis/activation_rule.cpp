#include "analysis/activation_rule.h"

#include <algorithm>
#include <cmath>

#include "analysis/stats.h"

namespace osc::analysis {
namespace {

struct Entry {
  float magnitude;
  int64_t index;
};

bool larger_first(const Entry& a, const Entry& b) {
  return a.magnitude > b.magnitude || (a.magnitude == b.magnitude && a.index < b.index);
}

bool is_counted(const CountedEntries& counted, int64_t i) {
  return counted.empty() || counted[static_cast<size_t>(i)];
}

// The counted entries over `floor` (largest first) and the largest counted magnitude under it.
std::vector<Entry> entries_over(const MatrixRef& m, double floor, const CountedEntries& counted,
                                float& largest_under) {
  std::vector<Entry> over;
  largest_under = 0.0f;
  const int64_t n = m.rows * m.cols;
  for (int64_t i = 0; i < n; ++i) {
    if (!is_counted(counted, i)) continue;
    const float a = std::fabs(m.data[i]);
    if (a >= floor) over.push_back({a, i});
    else largest_under = std::max(largest_under, a);
  }
  std::sort(over.begin(), over.end(), larger_first);
  return over;
}

// How many of the sorted candidates lie above the lowest gap (0 if none does). The lowest gap,
// not the largest, so that several massive entries of different sizes (2,500 and 800 over a
// bulk under 100) are all kept.
size_t count_above_lowest_gap(const std::vector<Entry>& over, float largest_under, double gap_ratio) {
  for (size_t i = over.size(); i-- > 0;) {
    const double next = i + 1 < over.size() ? over[i + 1].magnitude : largest_under;
    if (over[i].magnitude >= gap_ratio * next) return i + 1;
  }
  return 0;
}

}  // namespace

double detection_scale(const MatrixRef& m, double median, const CountedEntries& counted) {
  if (median > 0.0) return median;
  std::vector<float> nonzero;
  for (int64_t i = 0; i < m.rows * m.cols; ++i)
    if (m.data[i] != 0.0f && is_counted(counted, i)) nonzero.push_back(std::fabs(m.data[i]));
  return nonzero.empty() ? 0.0 : median_of(std::move(nonzero));
}

std::vector<int64_t> activation_outlier_entries(const MatrixRef& m, double median, const ActivationThresholds& t,
                                                const CountedEntries& counted) {
  std::vector<int64_t> out;
  if (t.rule != Rule::Gap) {
    float unused = 0.0f;
    const double floor = t.rule == Rule::Absolute ? t.absolute_min
                         : t.rule == Rule::Both   ? std::max(t.absolute_min, t.relative_to_median * median)
                                                  : t.relative_to_median * median;
    for (const Entry& e : entries_over(m, floor, counted, unused)) out.push_back(e.index);
    return out;
  }
  const double scale = detection_scale(m, median, counted);
  if (scale <= 0.0) return out;  // an all-zero matrix has no outliers
  float largest_under = 0.0f;
  const std::vector<Entry> over = entries_over(m, t.relative_to_median * scale, counted, largest_under);
  const size_t n = count_above_lowest_gap(over, largest_under, t.gap_ratio);
  for (size_t i = 0; i < n; ++i) out.push_back(over[i].index);
  return out;
}

}  // namespace osc::analysis
