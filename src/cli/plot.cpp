// `outlierscope plot REPORT.json [--out DIR] [--format png,svg] [--no-html]`: redraws the static
// figures (and the interactive report.html) from a saved report.json or a variant-comparison
// JSON, without the model.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.h"
#include "core/error.h"
#include "core/json_fields.h"
#include "core/output_guard.h"
#include "core/progress.h"
#include "plot/figures.h"
#include "report/html_report.h"
#include "report/report_reader.h"

namespace osc::cli {
namespace {

struct PlotArgs {
  std::string input, out_dir, formats = "png";
  int width = 1600, height = 1200;  // domains: core/option_domains.cpp
  bool no_html = false;
};

std::vector<std::string> split_formats(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

int run_plot(const PlotArgs& args) {
  const nlohmann::json doc = read_json_file(args.input);
  const std::string kind = report::document_kind(doc, args.input);
  const std::string out_dir = args.out_dir.empty()
                                  ? (std::filesystem::path(args.input).parent_path() / "figures").string()
                                  : args.out_dir;
  OutputFolder out(out_dir, "plot", {args.input}, OutputFolder::Mode::Replace);
  plot::FigureOptions options;
  options.formats = split_formats(args.formats);
  options.width_px = args.width;
  options.height_px = args.height;
  options.quiet = global_quiet();
  options.source = args.input;
  const auto written = kind == "report" ? plot::draw_report_figures(doc, out.path(), options)
                                        : plot::draw_comparison_figures(doc, out.path(), options);
  const bool html = kind == "report" && !args.no_html;
  if (html) report::write_html_report(doc, (std::filesystem::path(out.path()) / "report.html").string(), args.input);
  out.commit();
  std::printf("wrote %zu figure files to %s\n", written.size(), out_dir.c_str());
  if (html) std::printf("wrote %s\n", (std::filesystem::path(out_dir) / "report.html").string().c_str());
  return 0;
}

const CommandRegistration registration(
    "plot", "Redraw the figures and report.html from a saved report.json (or a variant comparison JSON)",
    [](CLI::App& sub) -> std::function<int()> {
      auto args = std::make_shared<PlotArgs>();
      sub.add_option("report", args->input, "report.json written by `outlierscope scan`, or a comparison JSON")
          ->required();
      sub.add_option("--out", args->out_dir, "Output folder (default: figures/ next to the report)");
      sub.add_option("--format", args->formats, "Comma-separated formats: png, svg, pdf (default png)");
      sub.add_option("--width", args->width, "Width of a one-panel figure in pixels (default 1600)");
      sub.add_option("--height", args->height, "Height of a one-panel figure in pixels (default 1200)");
      sub.add_flag("--no-html", args->no_html, "Do not write report.html");
      return [args] { return run_plot(*args); };
    });

}  // namespace
}  // namespace osc::cli
