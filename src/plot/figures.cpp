#include "plot/figures.h"

#include <plplot/plplot.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "core/error.h"
#include "core/progress.h"
#include "core/temp_files.h"
#include "plot/chart_drawers.h"
#include "plot/plot_stream.h"
#include "plot/style.h"
#include "report/report_reader.h"

namespace osc::plot {
namespace {

// Top share of a multi-panel page kept for the figure title: one line of text, so a larger share
// of a page with fewer rows.
double title_band(int rows) { return 0.03 + 0.1 / rows; }

int grid_columns(size_t panels, int columns) {
  return std::max(1, std::min(columns, static_cast<int>(panels)));
}

void draw_chart(const report::Chart& chart, const Frame& frame) {
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, report::Landscape>) draw_landscape(body, chart.title, frame);
        else if constexpr (std::is_same_v<T, report::Heatmap>) draw_heatmap(body, chart.title, frame);
        else if constexpr (std::is_same_v<T, report::Curves>) draw_curves(body, chart.title, frame);
        else draw_bars(body, chart.title, frame);
      },
      chart.body);
}

// Lays the panels out row by row; a multi-panel figure gets its title in a band at the top.
void draw_page(const report::Figure& figure) {
  pladv(0);
  const size_t n = figure.panels.size();
  const int cols = grid_columns(n, figure.columns);
  const int rows = static_cast<int>((n + cols - 1) / cols);
  const bool grid = n > 1;
  const double top = grid ? 1.0 - title_band(rows) : 1.0;
  for (size_t i = 0; i < n; ++i) {
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    Frame f;
    f.x0 = static_cast<double>(c) / cols;
    f.x1 = static_cast<double>(c + 1) / cols;
    f.y1 = top - top * r / rows;
    f.y0 = top - top * (r + 1) / rows;
    // PLplot scales text with the page width, and a grid page is `cols` panels wide.
    f.text_scale = grid ? 1.05 / cols : 1.0;
    draw_chart(figure.panels[i], f);
  }
  if (grid) draw_figure_title(figure.title, top, 1.5 / cols);
}

// PLplot writes a temporary file that is renamed into place once the stream has ended, so an
// interrupted run never leaves half an image under the final name.
void draw_file_atomically(const report::Figure& figure, const std::string& path, const std::string& format,
                          PixelSize size) {
  const ScopedTemporary registered(temporary_path_for(path));  // removed if the run is interrupted
  const std::string& tmp = registered.path();
  try {
    {
      PlotStream stream(tmp, format, size.width, size.height);
      draw_page(figure);
    }
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
}

std::vector<std::string> draw_figures(const std::vector<report::Figure>& figures, const std::string& out_dir,
                                      const FigureOptions& options) {
  OSC_CHECK_INPUT(!options.formats.empty(), "--format", "no figure format given");
  for (const auto& format : options.formats) device_for_format(format);  // rejects unknown ones early
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw_bad_input(out_dir, "cannot create the figure folder: " + ec.message());
  std::vector<const report::Figure*> todo;
  for (const auto& f : figures)
    if (f.static_image && !f.panels.empty()) todo.push_back(&f);
  Progress progress("figures", static_cast<int64_t>(todo.size() * options.formats.size()), "files", options.quiet);
  std::vector<std::string> written;
  for (const report::Figure* f : todo) {
    const PixelSize size = figure_pixel_size(f->panels.size(), f->columns, options);
    for (const auto& format : options.formats) {
      const std::string path = (std::filesystem::path(out_dir) / (f->id + "." + format)).string();
      draw_file_atomically(*f, path, format, size);
      written.push_back(path);
      progress.update(static_cast<int64_t>(written.size()));
    }
  }
  progress.finish();
  return written;
}

}  // namespace

PixelSize figure_pixel_size(size_t panels, int columns, const FigureOptions& options) {
  if (panels <= 1) return {options.width_px, options.height_px};
  const int cols = grid_columns(panels, columns);
  const int rows = static_cast<int>((panels + cols - 1) / cols);
  return {std::min(10000, options.width_px * 2 * cols / 3), std::min(10000, options.height_px * 2 * rows / 3)};
}

std::vector<std::string> draw_report_figures(const nlohmann::json& report, const std::string& out_dir,
                                             const FigureOptions& options) {
  return draw_figures(report::figures_from_report(report, options.source), out_dir, options);
}

std::vector<std::string> draw_comparison_figures(const nlohmann::json& comparison, const std::string& out_dir,
                                                 const FigureOptions& options) {
  return draw_figures(report::figures_from_comparison(comparison, options.source), out_dir, options);
}

}  // namespace osc::plot
