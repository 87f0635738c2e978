// Keeping tick labels readable at any length of axis: which of a row of parallel labels to draw
// so that none overlaps another, and integer tick steps for integer axes (layers).
#pragma once
#include <cstddef>
#include <vector>

namespace osc::plot {

// One label of a stack of parallel text lines (token labels along the landscape's token axis):
// its position across the text direction and its height, in mm on the page. Its box spans
// across_mm +- height_mm / 2 across the text; the labels all end at the same axis, so boxes that
// meet across the text overlap.
struct StackedLabel {
  double across_mm = 0.0, height_mm = 0.0;
  bool priority = false;  // an outlier token: kept before the others
};

bool labels_overlap(const StackedLabel& a, const StackedLabel& b, double gap_mm);

// Indices (ascending) of the labels to draw: priority labels first, in order, then the others,
// each kept only if it clears every kept label by gap_mm.
std::vector<size_t> non_overlapping_labels(const std::vector<StackedLabel>& labels, double gap_mm);

// A tick step for an axis of integers from lo to hi: 1, 2, 5, 10, 20, ... with at most max_ticks
// ticks, so that no tick falls between two integers (no layer -0.5 or 1.5).
double integer_tick_step(double lo, double hi, int max_ticks);

}  // namespace osc::plot
