#include <plplot/plplot.h>

#include "plot/chart_drawers.h"
#include "plot/style.h"

namespace osc::plot {

void draw_panel_title(const std::string& title, const Frame& frame) {
  plvpor(frame.x0, frame.x1, frame.y0, frame.y1);
  plwind(0.0, 1.0, 0.0, 1.0);
  style::use_colour(style::kInk);
  style::bold_font();
  plschr(0, frame.text_scale * style::kTitleScale);
  plptex(0.5, 0.97, 1.0, 0.0, 0.5, style::plot_text(title).c_str());
  style::regular_font();
}

void draw_figure_title(const std::string& title, double band_bottom, double text_scale) {
  plvpor(0.0, 1.0, band_bottom, 1.0);
  plwind(0.0, 1.0, 0.0, 1.0);
  style::use_colour(style::kInk);
  style::bold_font();
  plschr(0, text_scale * style::kTitleScale);
  plptex(0.5, 0.3, 1.0, 0.0, 0.5, style::plot_text(title).c_str());
  style::regular_font();
}

}  // namespace osc::plot
