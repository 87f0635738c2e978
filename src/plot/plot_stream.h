// One PLplot output stream per figure file. PLplot keeps global state and is not thread-safe, so
// a PlotStream holds a process-wide lock for its whole life, creates a fresh stream, applies the
// house style, and always ends the stream (plend1) in its destructor, even on exceptions.
#pragma once
#include <mutex>
#include <string>

namespace osc::plot {

// Output device of one file: "png" -> pngcairo, "svg" -> svgcairo, "pdf" -> pdfcairo.
std::string device_for_format(const std::string& format);

class PlotStream {
 public:
  // Opens `path` at width x height pixels (vector formats: the same aspect ratio) and initialises
  // PLplot with the style of style.h. Throws BadInput for an unknown format.
  PlotStream(const std::string& path, const std::string& format, int width_px, int height_px);
  ~PlotStream();
  PlotStream(const PlotStream&) = delete;
  PlotStream& operator=(const PlotStream&) = delete;

 private:
  std::unique_lock<std::mutex> lock_;
  int stream_ = -1, previous_stream_ = 0;
};

}  // namespace osc::plot
