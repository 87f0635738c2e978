// Variant comparison (docs/figures.md) -> a grid of 3-D landscapes on one shared value scale, one
// per attention variant, and the variants' layer-wise curves overlaid.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "report/reader_parts.h"
#include "report/report_reader.h"

namespace osc::report {
namespace {

double landscape_peak(const Landscape& l) {
  double m = 0.0;
  for (const auto& row : l.values)
    for (double v : row)
      if (std::isfinite(v)) m = std::max(m, v);
  return m;
}

Figure landscape_grid(const JsonField& variants, const std::string& title) {
  Figure fig;
  fig.id = "variants_landscapes";
  fig.title = title;
  fig.caption = "Layer activations of each attention variant on one shared value scale.";
  fig.group = "variants";
  double peak = 0.0;
  for (size_t i = 0; i < variants.size(); ++i) {
    const JsonField v = variants.at(i);
    if (!v.has("landscape")) continue;
    Landscape l = detail::activation_landscape(v.at("landscape"));
    peak = std::max(peak, landscape_peak(l));
    const std::string label = v.has("label") ? v.at("label").text() : v.at("name").text();
    fig.panels.push_back({label + ", Layer " + std::to_string(v.at("landscape").at("layer").integer()), std::move(l)});
  }
  for (auto& p : fig.panels) std::get<Landscape>(p.body).z_max = peak > 0.0 ? peak * 1.05 : 1.0;
  fig.columns = static_cast<int>(std::min<size_t>(3, std::max<size_t>(1, fig.panels.size())));
  return fig;
}

Figure overlaid_curves(const JsonField& variants, int64_t n_layers, const std::string& title) {
  Figure fig;
  fig.id = "variants_layer_curves";
  fig.title = title;
  fig.caption = "Top-1 and median |x| per layer, one curve per attention variant.";
  fig.group = "variants";
  fig.columns = 2;
  std::vector<double> x;
  for (int64_t l = 0; l < n_layers; ++l) x.push_back(static_cast<double>(l));
  for (const char* key : {"top1", "median"}) {
    Curves c;
    c.x = x;
    for (size_t i = 0; i < variants.size(); ++i) {
      const JsonField v = variants.at(i);
      if (!v.has("per_layer") || !v.at("per_layer").has(key)) continue;
      const std::string label = v.has("label") ? v.at("label").text() : v.at("name").text();
      c.series.push_back({label, v.at("per_layer").at(key).numbers(x.size())});
    }
    c.x_axis = "layer (0-based)";
    c.y_axis = std::string(key == std::string("top1") ? "top-1" : "median") + " |x|";
    c.log_y = detail::wants_log_scale(c);
    if (!c.series.empty()) fig.panels.push_back({std::string(key == std::string("top1") ? "Top 1" : "Median") + " per layer", std::move(c)});
  }
  return fig;
}

}  // namespace

std::vector<Figure> figures_from_comparison(const nlohmann::json& comparison, const std::string& source) {
  if (document_kind(comparison, source) != "comparison") throw_bad_input(source, "is a report.json, not a comparison");
  const JsonField root(comparison, source, "", NonFinite::NullOrInf);
  const std::string title = root.has("title") ? root.at("title").text() : "attention variants";
  const int64_t n_layers = root.at("n_layers").integer();
  if (n_layers < 1 || n_layers > 100000) root.at("n_layers").fail("must be between 1 and 100000");
  const JsonField variants = root.at("variants");
  if (variants.size() == 0) variants.fail("no variants");
  std::vector<Figure> figures;
  Figure grid = landscape_grid(variants, title);
  if (!grid.panels.empty()) figures.push_back(std::move(grid));
  Figure curves = overlaid_curves(variants, n_layers, title);
  if (!curves.panels.empty()) figures.push_back(std::move(curves));
  return figures;
}

}  // namespace osc::report
