#include "report/html_report.h"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "report/figure_json.h"
#include "report/html_escape.h"
#include "report/html_page.h"
#include "report/plotly_asset.h"
#include "report/report_reader.h"

namespace osc::report {
namespace {

using nlohmann::json;

// Section headings of the figure groups; picker groups show one figure at a time with a selector.
json group_info() {
  return {
      {"landscape", {{"title", "Activation and weight landscapes"}, {"picker", true}, {"picker_label", "hook / weight: "}}},
      {"layer_curves", {{"title", "Layer-wise curves"}, {"picker", true}, {"picker_label", "curve: "}}},
      {"top_indices", {{"title", "Top outlier index per layer"}, {"picker", true}, {"picker_label", "site: "}}},
      {"token_classes", {{"title", "Which tokens?"}, {"picker", false}}},
      {"attention", {{"title", "Attention sinks"}, {"picker", false}}},
      {"attention_received", {{"title", "Attention received per head and key"}, {"picker", true}, {"picker_label", "layer: "}}},
      {"lifecycle", {{"title", "Lifecycle: emergence, spread, disappearance"}, {"picker", false}}},
      {"variants", {{"title", "Attention variants"}, {"picker", false}}},
  };
}

// Compact text of a JSON value for the summary table (lists of objects as "k=v" groups).
std::string summary_value(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "none";
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) out += (out.empty() ? "" : "; ") + summary_value(item);
    return out.empty() ? "none" : out;
  }
  if (v.is_object()) {
    std::string out;
    for (const auto& [k, item] : v.items()) out += (out.empty() ? "" : ", ") + k + "=" + summary_value(item);
    return out;
  }
  return v.dump();
}

json summary_rows(const json& report) {
  json rows = json::array();
  if (report.contains("summary") && report["summary"].is_object())
    for (const auto& [key, value] : report["summary"].items()) rows.push_back({key, summary_value(value)});
  return rows;
}

std::string subtitle(const json& report) {
  std::ostringstream s;
  const json& m = report["model"];
  auto field = [&](const char* key) { return m.contains(key) ? summary_value(m[key]) : std::string("?"); };
  s << field("architecture") << ", " << field("n_layers") << " layers, d_model " << field("d_model") << ", d_ff "
    << field("d_ff") << ", " << field("n_heads") << " heads";
  if (report.contains("created_utc") && report["created_utc"].is_string())
    s << " | scanned " << report["created_utc"].get<std::string>();
  if (report.contains("tool_version") && report["tool_version"].is_string())
    s << " | outlierscope " << report["tool_version"].get<std::string>();
  s << " | layers are 0-based (hook names)";
  return s.str();
}

// The summary's findings (report schema 2), each linked to its figure group when the report has
// that group's figures; an empty array for reports without findings (schema 1).
json findings(const json& report, const json& figures) {
  json out = json::array();
  if (!report.contains("summary") || !report["summary"].is_object() || !report["summary"].contains("findings")) return out;
  for (const auto& f : report["summary"]["findings"]) {
    if (!f.is_object()) continue;
    const std::string group = f.value("figure", std::string());
    const bool shown = std::any_of(figures.begin(), figures.end(), [&](const json& fig) { return fig.value("group", std::string()) == group; });
    out.push_back({{"topic", f.value("topic", std::string())}, {"sentence", f.value("sentence", std::string())},
                   {"layer", f.contains("layer") ? summary_value(f["layer"]) : "none"},
                   {"size", f.value("size", std::string())}, {"where", f.value("where", std::string())},
                   {"link", shown && !group.empty() ? "#group-" + group : ""}});
  }
  return out;
}

json view_model(const json& report, const std::string& source) {
  const json figures = figures_to_json(figures_from_report(report, source));
  const std::string model = model_title(report);
  const json found = findings(report, figures);
  return {{"title", model + ": systematic outliers"},
          {"subtitle", subtitle(report)},
          {"findings", found},
          {"summary", found.empty() ? summary_rows(report) : json::array()},
          {"groups", group_info()},
          {"figures", figures}};
}

}  // namespace

std::string render_html_report(const json& report, const std::string& source) {
  const json model = view_model(report, source);
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>" + escape_html(model["title"].get<std::string>()) + "</title>\n";
  html += "<style>" + std::string(page_css()) + "</style>\n</head>\n<body>\n";
  html += "<header><h1 id=\"osc-title\"></h1><p id=\"osc-subtitle\"></p><table class=\"summary\" id=\"osc-summary\"></table></header>\n";
  html += "<main id=\"osc-figures\"></main>\n<div id=\"osc-status\" data-status=\"pending\"></div>\n";
  html += "<script type=\"application/json\" id=\"osc-data\">" + json_for_script(model) + "</script>\n";
  html += "<script>" + script_for_html(error_capture_script()) + "</script>\n";
  html += "<script>" + script_for_html(plotly_js()) + "</script>\n";
  html += "<script>" + script_for_html(page_script()) + "</script>\n</body>\n</html>\n";
  return html;
}

void write_html_report(const json& report, const std::string& path, const std::string& source) {
  write_text_atomically(path, render_html_report(report, source));
}

}  // namespace osc::report
