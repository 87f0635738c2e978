// Heatmap: coloured cells (attention weights queries x keys, or layers x heads), with a colour bar.
// Cells are filled rectangles so that the upper triangle of causal attention can stay empty.
#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>

#include "plot/chart_drawers.h"
#include "plot/style.h"

namespace osc::plot {
namespace {

struct Range {
  double lo, hi;
};

Range value_range(const report::Heatmap& h) {
  double lo = INFINITY, hi = -INFINITY;
  for (size_t r = 0; r < h.values.size(); ++r)
    for (size_t c = 0; c < h.values[r].size(); ++c) {
      if (h.lower_triangle && c > r) continue;
      const double v = h.values[r][c];
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v), hi = std::max(hi, v);
    }
  if (!std::isfinite(lo)) return {0.0, 1.0};
  if (lo > 0.0) lo = 0.0;  // weights and counts: the scale starts at zero
  if (hi <= lo) hi = lo + 1.0;
  return {lo, hi};
}

void fill_cell(double x0, double y0, double x1, double y1) {
  PLFLT xs[] = {x0, x1, x1, x0}, ys[] = {y0, y0, y1, y1};
  plfill(4, xs, ys);
}

// Row 0 is drawn at the top, as matrices are read.
void draw_cells(const report::Heatmap& h, Range range, int rows) {
  for (int r = 0; r < rows; ++r) {
    const auto& row = h.values[r];
    for (int c = 0; c < static_cast<int>(row.size()); ++c) {
      const double top = rows - r, bottom = rows - r - 1;
      if (h.lower_triangle && c > r) {
        style::use_colour(style::kGrid);
        fill_cell(c, bottom, c + 1, top);
        continue;
      }
      const double v = std::isfinite(row[c]) ? row[c] : range.lo;
      plcol1((v - range.lo) / (range.hi - range.lo));
      fill_cell(c, bottom, c + 1, top);
    }
  }
}

bool is_highlight(const report::Heatmap& h, int column) {
  return std::find(h.highlight_columns.begin(), h.highlight_columns.end(), column) != h.highlight_columns.end();
}

// Tick labels through plmtex, which writes outside the viewport (plptex would be clipped).
void draw_labels(const report::Heatmap& h, int rows, int cols, double scale) {
  const int row_every = std::max(1, rows / 32), col_every = std::max(1, cols / 32);
  plschr(0, scale * style::kTickScale);
  style::use_colour(style::kInk);
  for (int r = 0; r < rows && r < static_cast<int>(h.row_labels.size()); r += row_every)
    plmtex("lv", 0.6, (rows - r - 0.5) / rows, 1.0, style::plot_text(h.row_labels[r]).c_str());
  for (int c = 0; c < cols && c < static_cast<int>(h.column_labels.size()); ++c) {
    const bool hot = is_highlight(h, c);
    if (!hot && c % col_every != 0) continue;
    hot ? style::bold_font() : style::regular_font();
    plmtex("bv", 0.6, (c + 0.5) / cols, 1.0, style::plot_text(h.column_labels[c]).c_str());
  }
  style::regular_font();
  plschr(0, scale * style::kLabelScale);
  plmtex("l", 7.0, 0.5, 0.5, style::plot_text(h.y_axis).c_str());
  plmtex("b", 7.0, 0.5, 0.5, style::plot_text(h.x_axis).c_str());
}

void outline_highlights(const report::Heatmap& h, int rows, int cols) {
  style::use_colour(style::kOutlier);
  plwidth(style::kLineWidth);
  for (int64_t c : h.highlight_columns) {
    if (c < 0 || c >= cols) continue;
    const double x0 = static_cast<double>(c), x1 = x0 + 1.0;
    PLFLT xs[] = {x0, x1, x1, x0, x0}, ys[] = {0.0, 0.0, static_cast<double>(rows), static_cast<double>(rows), 0.0};
    plline(5, xs, ys);
  }
  plwidth(style::kThinLine);
}

void draw_colour_bar(Range range, const Frame& frame, double left, double right, double bottom, double top) {
  plvpor(left, right, bottom, top);
  plwind(0.0, 1.0, range.lo, range.hi);
  constexpr int kSteps = 64;
  for (int i = 0; i < kSteps; ++i) {
    const double a = range.lo + (range.hi - range.lo) * i / kSteps;
    const double b = range.lo + (range.hi - range.lo) * (i + 1) / kSteps;
    plcol1((i + 0.5) / kSteps);
    fill_cell(0.0, a, 1.0, b);
  }
  style::use_colour(style::kInk);
  plschr(0, frame.text_scale * style::kTickScale);
  plbox("bc", 0.0, 0, "bcmstv", 0.0, 0);
}

}  // namespace

void draw_heatmap(const report::Heatmap& h, const std::string& title, const Frame& frame) {
  const int rows = static_cast<int>(h.values.size());
  const int cols = rows > 0 ? static_cast<int>(h.values[0].size()) : 0;
  if (rows < 1 || cols < 1) return;
  const Range range = value_range(h);
  style::apply_heat_map();
  const double w = frame.x1 - frame.x0, ht = frame.y1 - frame.y0;
  const double left = frame.x0 + 0.2 * w, right = frame.x0 + 0.82 * w;
  const double bottom = frame.y0 + 0.2 * ht, top = frame.y1 - 0.1 * ht;
  plvpor(left, right, bottom, top);
  plwind(0.0, cols, 0.0, rows);
  draw_cells(h, range, rows);
  outline_highlights(h, rows, cols);
  style::use_colour(style::kInk);
  plbox("bc", 0.0, 0, "bc", 0.0, 0);
  draw_labels(h, rows, cols, frame.text_scale);
  draw_colour_bar(range, frame, frame.x0 + 0.86 * w, frame.x0 + 0.89 * w, bottom, top);
  draw_panel_title(title, frame);
}

}  // namespace osc::plot
