#include "report/report_reader.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "report/reader_parts.h"
#include "report/schema.h"

namespace osc::report {
namespace detail {

std::vector<double> Context::layer_axis() const {
  std::vector<double> x;
  for (int64_t l = 0; l < n_layers; ++l) x.push_back(static_cast<double>(l));
  return x;
}

std::string Context::layer_title(int64_t layer) const { return model + ", Layer " + std::to_string(layer); }

std::vector<int64_t> indices_of(const std::vector<int64_t>& wanted, const std::vector<int64_t>& shown) {
  std::vector<int64_t> out;
  for (int64_t w : wanted) {
    auto it = std::find(shown.begin(), shown.end(), w);
    if (it != shown.end()) out.push_back(it - shown.begin());
  }
  return out;
}

bool wants_log_scale(const Curves& curves) {
  double lo = INFINITY, hi = 0.0;
  for (const auto& s : curves.series)
    for (double v : s.y)
      if (std::isfinite(v) && v > 0.0) lo = std::min(lo, v), hi = std::max(hi, v);
  return std::isfinite(lo) && hi / lo > 100.0;
}

Figure single(std::string id, std::string title, std::string caption, Chart chart) {
  Figure f;
  f.id = std::move(id);
  f.title = std::move(title);
  f.caption = std::move(caption);
  f.panels.push_back(std::move(chart));
  return f;
}

}  // namespace detail

std::string document_kind(const nlohmann::json& document, const std::string& source) {
  const JsonField root(document, source);
  if (!document.is_object()) root.fail("expected a JSON object (an outlierscope report.json)");
  if (!root.has("schema")) root.fail("no \"schema\" field: not an outlierscope report.json");
  const std::string schema = root.at("schema").text();
  if (schema != kReportSchema && schema != kComparisonSchema)
    root.at("schema").fail("unknown schema '" + schema + "' (expected " + kReportSchema + " or " + kComparisonSchema + ")");
  const bool is_report = schema == kReportSchema;
  const int64_t want = is_report ? kReportSchemaVersion : kComparisonSchemaVersion;
  const int64_t version = root.at("schema_version").integer();
  const int64_t oldest = is_report ? kOldestReportSchemaVersion : want;
  if (version < oldest || version > want)
    root.at("schema_version").fail("unsupported version " + std::to_string(version) + " of " + schema +
                                   " (this build reads version " + std::to_string(want) +
                                   "); re-run the scan with this version of outlierscope");
  return is_report ? "report" : "comparison";
}

std::string model_title(const nlohmann::json& report) {
  if (!report.is_object() || !report.contains("model") || !report["model"].is_object()) return "model";
  const auto& m = report["model"];
  if (m.contains("name") && m["name"].is_string() && !m["name"].get<std::string>().empty())
    return m["name"].get<std::string>();
  if (m.contains("path") && m["path"].is_string()) {
    std::string p = m["path"].get<std::string>();
    while (!p.empty() && p.back() == '/') p.pop_back();
    const auto slash = p.find_last_of('/');
    const std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
    if (!base.empty()) return base;
  }
  return "model";
}

std::vector<Figure> figures_from_report(const nlohmann::json& report, const std::string& source) {
  if (document_kind(report, source) != "report")
    throw_bad_input(source, "is a comparison document, not a report.json");
  const JsonField root(report, source, "", NonFinite::NullOrInf);
  detail::Context ctx;
  ctx.model = model_title(report);
  ctx.n_layers = root.at("model").at("n_layers").integer();
  if (ctx.n_layers < 1 || ctx.n_layers > 100000) root.at("model").at("n_layers").fail("must be between 1 and 100000");
  std::vector<Figure> figures;
  if (root.has("activations")) detail::add_activation_figures(root.at("activations"), ctx, figures);
  if (root.has("weights")) detail::add_weight_figures(root.at("weights"), ctx, figures);
  if (root.has("attention")) detail::add_attention_figures(root.at("attention"), ctx, figures);
  if (root.has("lifecycle")) detail::add_lifecycle_figures(root.at("lifecycle"), root, ctx, figures);
  return figures;
}

}  // namespace osc::report
