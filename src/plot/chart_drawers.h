// Drawers for one chart each, into a rectangle of the current PLplot page. All take the chart's
// data from the figure model and use the house style (style.h).
#pragma once
#include <string>

#include "report/figure_model.h"

namespace osc::plot {

// A panel's rectangle in normalised page coordinates, and the text scale for its size.
struct Frame {
  double x0 = 0.0, x1 = 1.0, y0 = 0.0, y1 = 1.0;
  double text_scale = 1.0;
};

void draw_landscape(const report::Landscape& landscape, const std::string& title, const Frame& frame);
void draw_heatmap(const report::Heatmap& heatmap, const std::string& title, const Frame& frame);
void draw_curves(const report::Curves& curves, const std::string& title, const Frame& frame);
void draw_bars(const report::Bars& bars, const std::string& title, const Frame& frame);

// The panel title above a frame, bold.
void draw_panel_title(const std::string& title, const Frame& frame);
// The title of a multi-panel figure, centred in the band above `band_bottom`.
void draw_figure_title(const std::string& title, double band_bottom, double text_scale);

}  // namespace osc::plot
