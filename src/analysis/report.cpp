#include "analysis/report.h"

#include <chrono>
#include <ctime>

#include "analysis/activation_landscape.h"
#include "analysis/token_classes.h"
#include "report/schema.h"

#ifndef OUTLIERSCOPE_VERSION
#define OUTLIERSCOPE_VERSION "0.1.0"
#endif

namespace osc::analysis {
namespace {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

nlohmann::json inputs_json(const std::vector<Capture>& captures) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < captures.size(); ++i) {
    const auto& in = captures[i].input;
    std::vector<std::string> classes;
    for (size_t p = 0; p < in.pieces.size(); ++p) classes.push_back(token_class_name(token_class_at(in, static_cast<int64_t>(p))));
    out.push_back({{"index", i}, {"source", in.source}, {"n_tokens", in.token_ids.size()},
                   {"token_ids", in.token_ids}, {"pieces", in.pieces}, {"classes", classes}});
  }
  return out;
}

nlohmann::json build_report(const ReportParts& p) {
  nlohmann::json r = {{"schema", report::kReportSchema},   {"schema_version", report::kReportSchemaVersion},
                      {"tool_version", OUTLIERSCOPE_VERSION}, {"created_utc", utc_now()},
                      {"command", p.command},
                      {"model", p.model.is_object() ? p.model : nlohmann::json::object()},
                      {"thresholds", thresholds_to_json(p.thresholds)}};
  r["inputs"] = p.captures ? inputs_json(*p.captures) : nlohmann::json::array();
  if (p.weights) r["weights"] = weights_to_json(*p.weights);
  if (p.resid_post && p.captures) r["activations"] = activations_json(*p.resid_post, p.mlp_post, *p.captures, p.thresholds.activation);
  if (p.attention && p.captures) r["attention"] = attention_to_json(*p.attention, *p.captures);
  if (!p.lifecycle.is_null()) r["lifecycle"] = p.lifecycle;
  if (!p.ablation.is_null()) r["ablation"] = p.ablation;
  r["summary"] = summary_json(r);
  return r;
}

}  // namespace osc::analysis
