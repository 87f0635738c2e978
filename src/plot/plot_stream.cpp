#include "plot/plot_stream.h"

#include <plplot/plplot.h>

#include "core/error.h"
#include "plot/style.h"

namespace osc::plot {
namespace {

std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

// Print resolution of the raster output; vector devices take the page size in points from it.
constexpr double kDotsPerInch = 150.0;

}  // namespace

std::string device_for_format(const std::string& format) {
  if (format == "png") return "pngcairo";
  if (format == "svg") return "svgcairo";
  if (format == "pdf") return "pdfcairo";
  throw_bad_input("--format", "unknown figure format '" + format + "' (use png, svg or pdf)");
}

PlotStream::PlotStream(const std::string& path, const std::string& format, int width_px, int height_px)
    : lock_(plplot_mutex()) {
  const std::string device = device_for_format(format);
  OSC_CHECK_INPUT(width_px >= 200 && width_px <= 10000 && height_px >= 200 && height_px <= 10000, path,
                  "figure size must be between 200 and 10000 pixels");
  plgstrm(&previous_stream_);
  plmkstrm(&stream_);
  plsdev(device.c_str());
  plsfnam(path.c_str());
  plspage(kDotsPerInch, kDotsPerInch, width_px, height_px, 0, 0);
  plscolbg(255, 255, 255);
  plinit();
  style::apply_palette();
  style::regular_font();
}

PlotStream::~PlotStream() {
  plend1();
  plsstrm(previous_stream_);
}

}  // namespace osc::plot
