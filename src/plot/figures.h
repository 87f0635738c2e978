// Static figures (PLplot + cairo) drawn from a report.json (schema: docs/report-schema.md) or from
// a variant-comparison JSON (schema: docs/figures.md). Figures read only the JSON, never a model,
// so `outlierscope plot` can redraw them from a saved report.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace osc::plot {

struct FigureOptions {
  std::vector<std::string> formats = {"png"};  // any of "png" (pngcairo), "svg" (svgcairo), "pdf" (pdfcairo)
  int width_px = 1600;   // raster size of one figure; vector formats keep the same aspect ratio
  int height_px = 1200;
  bool quiet = false;    // no progress line
  std::string source = "report.json";  // names the document in error messages
};

// Pixel size of a figure with `panels` panels in `columns` columns: a single panel is
// width_px x height_px; in a grid each panel is two thirds of that in each direction.
struct PixelSize {
  int width, height;
};
PixelSize figure_pixel_size(size_t panels, int columns, const FigureOptions& options);

// Writes every figure the report has data for into out_dir (created if missing), one file per
// figure and format, e.g. "<out_dir>/landscape_resid_post_L2.png". Returns the written paths.
// Throws BadInput (naming the report) if the report is malformed or of an unsupported schema.
std::vector<std::string> draw_report_figures(const nlohmann::json& report, const std::string& out_dir,
                                             const FigureOptions& options = {});

// Figures of a training-variant comparison (one 3-D landscape per attention variant on one
// shared axis scale, and overlaid layer-wise curves). Returns the written paths.
std::vector<std::string> draw_comparison_figures(const nlohmann::json& comparison, const std::string& out_dir,
                                                 const FigureOptions& options = {});

}  // namespace osc::plot
