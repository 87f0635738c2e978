// Bar chart of counts per class (token classes of outliers), each bar labelled with its share.
#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "plot/chart_drawers.h"
#include "plot/style.h"

namespace osc::plot {

void draw_bars(const report::Bars& bars, const std::string& title, const Frame& frame) {
  const int n = static_cast<int>(std::min(bars.labels.size(), bars.values.size()));
  if (n < 1) return;
  double total = 0.0, lo = 0.0, hi = 0.0;
  for (int i = 0; i < n; ++i)
    if (std::isfinite(bars.values[i])) total += bars.values[i], lo = std::min(lo, bars.values[i]), hi = std::max(hi, bars.values[i]);
  if (hi - lo <= 0.0) hi = lo + 1.0;
  const double span = hi - lo;
  const double w = frame.x1 - frame.x0, h = frame.y1 - frame.y0;
  plvpor(frame.x0 + 0.16 * w, frame.x1 - 0.04 * w, frame.y0 + 0.16 * h, frame.y1 - 0.1 * h);
  plwind(-0.6, n - 0.4, lo - (lo < 0.0 ? 0.12 * span : 0.0), hi + 0.12 * span);
  plschr(0, frame.text_scale * style::kTickScale);
  style::use_colour(style::kGrid);
  plbox("", 0.0, 0, "g", 0.0, 0);
  for (int i = 0; i < n; ++i) {
    const double v = std::isfinite(bars.values[i]) ? bars.values[i] : 0.0;
    style::use_colour(style::series_colour(i));
    PLFLT xs[] = {i - 0.35, i + 0.35, i + 0.35, i - 0.35}, ys[] = {0.0, 0.0, v, v};
    plfill(4, xs, ys);
    style::use_colour(style::kInk);
    char label[32];
    if (bars.show_share) std::snprintf(label, sizeof label, "%.1f%%", total > 0.0 ? 100.0 * v / total : 0.0);
    else std::snprintf(label, sizeof label, "%s", style::compact_number(v).c_str());
    plptex(i, v >= 0.0 ? v + span * 0.03 : v - span * 0.06, 1.0, 0.0, 0.5, label);
  }
  style::use_colour(style::kInk);
  PLFLT zx[] = {-0.6, n - 0.4}, zy[] = {0.0, 0.0};
  plline(2, zx, zy);
  plbox("bc", 0.0, 0, "bcnstv", 0.0, 0);
  // Class labels under the box, one per bar.
  plvpor(frame.x0 + 0.16 * w, frame.x1 - 0.04 * w, frame.y0 + 0.05 * h, frame.y0 + 0.16 * h);
  plwind(-0.6, n - 0.4, 0.0, 1.0);
  for (int i = 0; i < n; ++i) plptex(i, 0.55, 1.0, 0.0, 0.5, style::plot_text(bars.labels[i]).c_str());
  plvpor(frame.x0 + 0.16 * w, frame.x1 - 0.04 * w, frame.y0 + 0.16 * h, frame.y1 - 0.1 * h);
  plschr(0, frame.text_scale * style::kLabelScale);
  plmtex("l", 4.2, 0.5, 0.5, style::plot_text(bars.y_axis).c_str());
  draw_panel_title(title, frame);
}

}  // namespace osc::plot
