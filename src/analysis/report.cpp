#include "analysis/report.h"

#include <chrono>
#include <ctime>

#include "analysis/activation_landscape.h"
#include "analysis/token_classes.h"

#ifndef OUTLIERSCOPE_VERSION
#define OUTLIERSCOPE_VERSION "0.1.0"
#endif

namespace osc::analysis {
namespace {

constexpr double kSignificantShare = 0.2;  // a down column "writes" the outlier if it gives >= 20% of it

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const nlohmann::json* at_path(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  const nlohmann::json* cur = &j;
  for (const char* k : keys) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return cur;
}

nlohmann::json value_or_null(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  const nlohmann::json* v = at_path(j, keys);
  return v ? *v : nlohmann::json();
}

void emergence_summary(const nlohmann::json& report, nlohmann::json& s) {
  const nlohmann::json* e = at_path(report, {"lifecycle", "emergence"});
  s["outlier_channels"] = e ? (*e)["channels"] : nlohmann::json::array();
  nlohmann::json columns = nlohmann::json::array(), tokens = nlohmann::json::array();
  if (e && e->contains("down_columns"))
    for (const auto& c : (*e)["down_columns"])
      if (c["share"].get<double>() >= kSignificantShare) columns.push_back(c["column"]);
  if (e) {
    const auto& inputs = report["inputs"];
    const int64_t input = (*e)["input"].get<int64_t>();
    for (const auto& p : (*e)["positions"]) {
      const int64_t pos = p.get<int64_t>();
      const auto& in = inputs[static_cast<size_t>(input)];
      tokens.push_back({{"input", input}, {"position", pos}, {"piece", in["pieces"].at(static_cast<size_t>(pos))},
                        {"class", in["classes"].at(static_cast<size_t>(pos))}});
    }
  }
  s["down_columns"] = columns;
  s["outlier_tokens"] = tokens;
}

void magnitude_summary(const nlohmann::json& report, nlohmann::json& s) {
  const nlohmann::json* resid = at_path(report, {"activations", "sites", "resid_post"});
  if (!resid) return;
  double max_abs = 0.0;
  for (const auto& v : (*resid)["per_layer"]["top1"]) max_abs = std::max(max_abs, v.get<double>());
  for (const auto& ch : (*resid)["channels"]) max_abs = std::max(max_abs, ch["max_abs"].get<double>());
  s["max_magnitude"] = max_abs;
  const nlohmann::json layer = s["emergence_layer"];
  s["median_magnitude"] = layer.is_number() ? (*resid)["per_layer"]["median"][layer.get<size_t>()] : nlohmann::json();
}

void attention_summary(const nlohmann::json& report, nlohmann::json& s) {
  const nlohmann::json* a = at_path(report, {"attention"});
  s["sink_positions"] = a ? (*a)["sink_positions"][0] : nlohmann::json::array();
  nlohmann::json heads = nlohmann::json::array();
  if (a)
    for (const auto& h : (*a)["heads_affected"]) heads.push_back({{"layer", h["layer"]}, {"head", h["head"]}});
  s["sink_heads"] = heads;
}

void weight_summary(const nlohmann::json& report, nlohmann::json& s) {
  nlohmann::json out = nlohmann::json::array();
  if (const nlohmann::json* w = at_path(report, {"weights", "outliers"}))
    for (const auto& o : *w)
      if (o["module"] == "down")
        out.push_back({{"layer", o["layer"]}, {"module", o["module"]}, {"column", o["index"]}, {"ratio", o["ratio"]}});
  s["weight_outlier_columns"] = out;
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

nlohmann::json summary_json(const nlohmann::json& report) {
  nlohmann::json s = nlohmann::json::object();
  s["emergence_layer"] = value_or_null(report, {"lifecycle", "emergence", "layer"});
  s["disappearance_layer"] = value_or_null(report, {"lifecycle", "disappearance", "layer"});
  emergence_summary(report, s);
  magnitude_summary(report, s);
  attention_summary(report, s);
  weight_summary(report, s);
  return s;
}

nlohmann::json build_report(const ReportParts& p) {
  nlohmann::json r = {{"schema", kReportSchema},   {"schema_version", kReportSchemaVersion},
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
