// Layer-wise curves: one line with markers per series (top-1/2/3, median, per-module ratios), or
// markers only for index scatters (top outlier channel per layer); a legend inside the box.
#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "plot/chart_drawers.h"
#include "plot/label_layout.h"
#include "plot/style.h"

namespace osc::plot {
namespace {

constexpr const char* kMarker = "\u25cb";  // a hollow circle, as in the paper's curves

constexpr PLINT kLegendColumns = 4;

struct Box {
  double xmin, xmax, ymin, ymax;
};

double transformed(double v, bool log_y) {
  if (!std::isfinite(v)) return NAN;
  if (!log_y) return v;
  return v > 0.0 ? std::log10(v) : NAN;
}

Box data_box(const report::Curves& c) {
  Box b{INFINITY, -INFINITY, INFINITY, -INFINITY};
  for (double x : c.x) b.xmin = std::min(b.xmin, x), b.xmax = std::max(b.xmax, x);
  for (const auto& s : c.series)
    for (double v : s.y) {
      const double t = transformed(v, c.log_y);
      if (std::isfinite(t)) b.ymin = std::min(b.ymin, t), b.ymax = std::max(b.ymax, t);
    }
  if (!std::isfinite(b.xmin)) b.xmin = 0.0, b.xmax = 1.0;
  if (!std::isfinite(b.ymin)) b.ymin = 0.0, b.ymax = 1.0;
  if (!c.log_y) b.ymin = std::min(b.ymin, 0.0);  // magnitudes read best from zero
  const double xpad = std::max(0.5, 0.03 * (b.xmax - b.xmin));
  const double ypad = b.ymax > b.ymin ? 0.08 * (b.ymax - b.ymin) : 1.0;
  return {b.xmin - xpad, b.xmax + xpad, b.ymin - (c.log_y ? ypad : 0.0), b.ymax + ypad};
}

// Draws the finite runs of one series as lines (unless markers_only) and every point as a marker.
void draw_series(const report::Curves& c, const report::Series& s, int colour) {
  style::use_colour(colour);
  std::vector<PLFLT> xs, ys;
  auto flush = [&] {
    if (!c.markers_only && xs.size() > 1) plline(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
    xs.clear(), ys.clear();
  };
  std::vector<PLFLT> px, py;
  for (size_t i = 0; i < c.x.size() && i < s.y.size(); ++i) {
    const double t = transformed(s.y[i], c.log_y);
    if (!std::isfinite(t)) {
      flush();
      continue;
    }
    xs.push_back(c.x[i]), ys.push_back(t);
    px.push_back(c.x[i]), py.push_back(t);
  }
  plwidth(style::kLineWidth);
  flush();
  if (!px.empty()) plstring(static_cast<PLINT>(px.size()), px.data(), py.data(), kMarker);
  plwidth(style::kThinLine);
}

void draw_legend(const report::Curves& c, double scale) {
  const auto n = static_cast<PLINT>(c.series.size());
  if (n < 1) return;
  std::vector<PLINT> opts(n, PL_LEGEND_SYMBOL | (c.markers_only ? 0 : PL_LEGEND_LINE)), colours(n), styles(n, 1),
      symbol_numbers(n, c.markers_only ? 1 : 2), text_colours(n, style::kInk);
  std::vector<PLFLT> widths(n, style::kLineWidth), symbol_scales(n, scale);
  std::vector<std::string> texts(n), symbols(n, kMarker);
  std::vector<const char*> text_ptrs(n), symbol_ptrs(n);
  for (PLINT i = 0; i < n; ++i) {
    colours[i] = style::series_colour(i);
    texts[i] = style::plot_text(c.series[i].name);
    text_ptrs[i] = texts[i].c_str();
    symbol_ptrs[i] = symbols[i].c_str();
  }
  PLFLT width = 0, height = 0;
  plschr(0, scale * style::kTickScale);
  // Under the x-axis label, as in the paper's layer-wise plots, at most four entries a row.
  const PLINT legend_columns = std::min(n, kLegendColumns);
  const PLINT legend_rows = (n + legend_columns - 1) / legend_columns;
  pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_BOTTOM | PL_POSITION_OUTSIDE,
           0.0, 0.14, 0.05, style::kBackground, style::kGrid, 1, legend_rows, legend_columns, n, opts.data(), 1.0,
           scale * style::kTickScale, 1.8, 0.0, text_colours.data(), text_ptrs.data(), nullptr, nullptr, nullptr,
           nullptr, colours.data(), styles.data(), widths.data(), colours.data(), symbol_scales.data(),
           symbol_numbers.data(), symbol_ptrs.data());
}

}  // namespace

void draw_curves(const report::Curves& c, const std::string& title, const Frame& frame) {
  if (c.x.empty() || c.series.empty()) return;
  const Box b = data_box(c);
  const double w = frame.x1 - frame.x0, h = frame.y1 - frame.y0;
  plvpor(frame.x0 + 0.14 * w, frame.x1 - 0.04 * w, frame.y0 + 0.24 * h, frame.y1 - 0.1 * h);
  plwind(b.xmin, b.xmax, b.ymin, b.ymax);
  plschr(0, frame.text_scale * style::kTickScale);
  // Layers (and other integer x) get integer ticks; PLplot's own choice on a short axis is 0.5.
  const double x_step = std::all_of(c.x.begin(), c.x.end(), [](double x) { return x == std::floor(x); })
                            ? integer_tick_step(b.xmin, b.xmax, 10)
                            : 0.0;
  style::use_colour(style::kGrid);
  plbox("g", x_step, 0, c.log_y ? "gl" : "g", 0.0, 0);
  style::use_colour(style::kInk);
  plbox("bcnst", x_step, 0, c.log_y ? "bcnstvl" : "bcnstv", 0.0, 0);
  for (size_t i = 0; i < c.series.size(); ++i) draw_series(c, c.series[i], style::series_colour(i));
  style::use_colour(style::kInk);
  plschr(0, frame.text_scale * style::kLabelScale);
  plmtex("b", 2.6, 0.5, 0.5, style::plot_text(c.x_axis).c_str());
  plmtex("l", 4.2, 0.5, 0.5, style::plot_text(c.y_axis).c_str());
  draw_legend(c, frame.text_scale);
  draw_panel_title(title, frame);
}

}  // namespace osc::plot
