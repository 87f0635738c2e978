// 3-D landscape: one line per row (token or weight column) running along the shown channels, the
// height being |value|. Tick labels are placed in 2-D at projected 3-D points, so token pieces stay
// upright and readable whatever the view angle; on long windows only labels that do not overlap
// are drawn, outlier tokens first.
#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "plot/chart_drawers.h"
#include "plot/label_layout.h"
#include "plot/style.h"

namespace osc::plot {
namespace {

// The 3-D box and view passed to plw3d, and PLplot's projection of world 3-D points onto the 2-D
// window (the same formulas plw3d sets up: azimuth rotation about z, then tilt by the altitude).
struct View3d {
  double xmin, xmax, ymin, ymax, zmax;
  double basex = 1.0, basey = 1.5, height = 1.1;
  double alt = 28.0, az = 300.0;

  void apply() const { plw3d(basex, basey, height, xmin, xmax, ymin, ymax, 0.0, zmax, alt, az); }
  void project(double x, double y, double z, double* wx, double* wy) const {
    const double deg = M_PI / 180.0;
    const double cx = basex / (xmax - xmin), cy = basey / (ymax - ymin), cz = height / zmax;
    const double saz = std::sin(az * deg), caz = std::cos(az * deg);
    const double salt = std::sin(alt * deg), calt = std::cos(alt * deg);
    const double dx = (x - 0.5 * (xmin + xmax)) * cx, dy = (y - 0.5 * (ymin + ymax)) * cy;
    *wx = dx * caz - dy * saz;
    *wy = (dx * saz + dy * caz) * salt + z * cz * calt;
  }
};

double landscape_max(const report::Landscape& l) {
  if (l.z_max > 0.0) return l.z_max;
  double m = 0.0;
  for (const auto& row : l.values)
    for (double v : row)
      if (std::isfinite(v)) m = std::max(m, std::fabs(v));
  return m > 0.0 ? m * 1.05 : 1.0;
}

// A "nice" tick step giving three to five ticks up to zmax.
double tick_step(double zmax) {
  const double raw = zmax / 4.0;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10.0 * p;
}

// Writes `text` at a projected point, running along the projected direction (ux, uy) and kept
// upright (flipping direction and justification when it would read upside down).
void upright_text(double wx, double wy, double ux, double uy, bool end_at_point, const std::string& text) {
  double just = end_at_point ? 1.0 : 0.0;
  if (ux < 0.0) {
    ux = -ux;
    uy = -uy;
    just = 1.0 - just;
  }
  plptex(wx, wy, ux, uy, just, style::plot_text(text).c_str());
}

void draw_rows(const report::Landscape& l, double zmax) {
  const auto cols = static_cast<int>(l.columns.size());
  std::vector<PLFLT> x(cols), y(cols), z(cols);
  for (int c = 0; c < cols; ++c) y[c] = c;
  for (size_t r = 0; r < l.values.size(); ++r) {
    const bool hot = std::find(l.highlight_rows.begin(), l.highlight_rows.end(), static_cast<int64_t>(r)) !=
                     l.highlight_rows.end();
    style::use_colour(hot ? style::kOutlier : (l.weights ? style::kWeight : style::kNormal));
    plwidth(hot ? style::kLineWidth * 1.3 : style::kLineWidth);
    for (int c = 0; c < cols; ++c) {
      x[c] = static_cast<double>(r);
      const double v = l.values[r][c];
      z[c] = std::isfinite(v) ? std::min(std::fabs(v), zmax) : 0.0;
    }
    plline3(cols, x.data(), y.data(), z.data());
  }
  plwidth(style::kThinLine);
}

// Millimetres on the page per world unit of the current viewport, in x and y.
struct PageScale {
  double x, y;
};

PageScale page_scale() {
  PLFLT wx0, wx1, wy0, wy1, dx0, dx1, dy0, dy1, mx0, mx1, my0, my1;
  plgvpw(&wx0, &wx1, &wy0, &wy1);  // world window
  plgvpd(&dx0, &dx1, &dy0, &dy1);  // viewport, as a fraction of the subpage
  plgspa(&mx0, &mx1, &my0, &my1);  // subpage, mm
  return {(dx1 - dx0) * (mx1 - mx0) / (wx1 - wx0), (dy1 - dy0) * (my1 - my0) / (wy1 - wy0)};
}

// Row labels run parallel (direction u) and end at the token axis; the ones drawn are those whose
// boxes do not overlap across u (label_layout.h), outlier tokens first. Label heights: PLplot's
// character height times 1.5 for ascenders, descenders and accents.
void draw_row_labels(const report::Landscape& l, const View3d& v, double scale) {
  const size_t rows = l.row_labels.size();
  double ax, ay, bx, by;
  v.project(0, v.ymin, 0, &ax, &ay);
  v.project(0, v.ymin - 1.0, 0, &bx, &by);
  const PageScale mm = page_scale();
  const double ux = (ax - bx) * mm.x, uy = (ay - by) * mm.y, norm = std::hypot(ux, uy);
  PLFLT default_height_mm, height_mm;
  plgchr(&default_height_mm, &height_mm);
  std::vector<StackedLabel> stack(rows);
  std::vector<std::pair<double, double>> anchors(rows);  // world position of each label's end
  for (size_t r = 0; r < rows; ++r) {
    const bool hot = std::find(l.highlight_rows.begin(), l.highlight_rows.end(), static_cast<int64_t>(r)) !=
                     l.highlight_rows.end();
    double& wx = anchors[r].first;
    double& wy = anchors[r].second;
    v.project(static_cast<double>(r), v.ymin - 0.04 * (v.ymax - v.ymin), 0, &wx, &wy);
    stack[r].across_mm = (-uy * wx * mm.x + ux * wy * mm.y) / norm;
    stack[r].height_mm = 1.5 * default_height_mm * scale * (hot ? style::kLabelScale : style::kTickScale);
    stack[r].priority = hot;
  }
  for (size_t r : non_overlapping_labels(stack, 0.2)) {
    stack[r].priority ? style::bold_font() : style::regular_font();
    plschr(0, scale * (stack[r].priority ? style::kLabelScale : style::kTickScale));
    upright_text(anchors[r].first, anchors[r].second, ax - bx, ay - by, true, l.row_labels[r]);
  }
  style::regular_font();
}

void draw_column_labels(const report::Landscape& l, const View3d& v, double scale) {
  double ax, ay, bx, by;
  v.project(v.xmax, 0, 0, &ax, &ay);
  v.project(v.xmax + 1.0, 0, 0, &bx, &by);
  style::bold_font();
  plschr(0, scale * style::kLabelScale);
  for (int64_t channel : l.highlight_columns) {
    auto it = std::find(l.columns.begin(), l.columns.end(), channel);
    if (it == l.columns.end()) continue;
    double wx, wy;
    v.project(v.xmax + 0.06 * (v.xmax - v.xmin) + 0.3, static_cast<double>(it - l.columns.begin()), 0, &wx, &wy);
    upright_text(wx, wy, bx - ax, by - ay, false, std::to_string(channel));
  }
  style::regular_font();
  plschr(0, scale * style::kTickScale);
  double wx, wy;
  v.project(v.xmax + 0.06 * (v.xmax - v.xmin) + 0.3, v.ymin + 0.5 * (v.ymax - v.ymin), 0, &wx, &wy);
  plptex(wx, wy - 0.12, 1.0, 0.0, 0.0, style::plot_text(l.column_axis).c_str());
}

// Value ticks on the right-most vertical edge of the box, as compact numbers ("1k", "2k"), with
// the value's name (e.g. "|blocks.2.hook_resid_post|") above that edge.
void draw_value_ticks(const View3d& v, double step, double scale, const std::string& value_axis) {
  double best_x = v.xmin, best_y = v.ymin, best_wx = -1e9;
  for (double x : {v.xmin, v.xmax})
    for (double y : {v.ymin, v.ymax}) {
      double wx, wy;
      v.project(x, y, 0, &wx, &wy);
      if (wx > best_wx) best_wx = wx, best_x = x, best_y = y;
    }
  plschr(0, scale * style::kTickScale);
  for (double z = 0.0; z <= v.zmax * 1.0001; z += step) {
    double wx, wy;
    v.project(best_x, best_y, z, &wx, &wy);
    plptex(wx + 0.04, wy, 1.0, 0.0, 0.0, style::compact_number(z).c_str());
  }
  double wx, wy;
  v.project(best_x, best_y, v.zmax, &wx, &wy);
  plptex(wx, wy + 0.12, 1.0, 0.0, 0.7, style::plot_text(value_axis).c_str());
}

}  // namespace

void draw_landscape(const report::Landscape& l, const std::string& title, const Frame& frame) {
  const auto rows = static_cast<double>(l.values.size());
  const auto cols = static_cast<double>(l.columns.size());
  if (rows < 1 || cols < 1) return;
  View3d v{-0.5, std::max(rows - 0.5, 0.5), 0.0, std::max(cols - 1.0, 1.0), landscape_max(l)};
  const double step = tick_step(v.zmax);

  plvpor(frame.x0, frame.x1, frame.y0, frame.y1 - 0.06 * (frame.y1 - frame.y0));
  plwind(-1.4, 1.4, -1.0, 1.5);  // margins around the box for token labels and value ticks
  v.apply();
  style::use_colour(style::kGrid);
  plbox3("bt", "", 1.0, 0, "bt", "", 0.0, 0, "cdst", "", step, 0);
  style::use_colour(style::kInk);
  plbox3("b", "", 0.0, 0, "b", "", 0.0, 0, "c", "", 0.0, 0);
  draw_rows(l, v.zmax);
  style::use_colour(style::kInk);
  draw_row_labels(l, v, frame.text_scale);
  draw_column_labels(l, v, frame.text_scale);
  draw_value_ticks(v, step, frame.text_scale, l.value_axis);
  draw_panel_title(title, frame);
}

}  // namespace osc::plot
