// report.json -> "summary" (docs/report-schema.md): what each analysis that ran found, over every
// input and every site, in the paper's terms: a findings table whose rows carry one sentence each,
// the thresholds in words when nothing was found, and every list the report shortened.
#include <algorithm>
#include <map>
#include <set>

#include "analysis/report.h"
#include "analysis/report_findings.h"
#include "analysis/summary_format.h"
#include "core/json_fields.h"

namespace osc::analysis {
namespace {

using nlohmann::json;

json value_or_null(const json& j, std::initializer_list<const char*> keys) {
  const json* v = find_json_path(j, keys);
  return v ? *v : json();
}

// ---- the thresholds in words ---------------------------------------------------------------

std::string activation_rule_text(const json& t) {
  const std::string rule = t["rule_used"].get<std::string>();
  const std::string k = three_digits(t["relative_to_median"].get<double>());
  const std::string floor = three_digits(t["absolute_min"].get<double>());
  if (rule == "gap")
    return "|x| >= " + k + " times its layer's median and >= " + three_digits(t["gap_ratio"].get<double>()) +
           " times the next-largest |x| (gap rule)";
  if (rule == "absolute") return "|x| >= " + floor + " (absolute rule)";
  if (rule == "both") return "|x| >= " + k + " times its layer's median and >= " + floor + " (both rules)";
  return "|x| >= " + k + " times its layer's median (relative rule)";
}

std::string weight_rule_text(const json& t) {
  const std::string rule = t["rule_used"].get<std::string>();
  const std::string k = three_digits(t["relative_to_median"].get<double>());
  const std::string ratio = three_digits(t["ratio_min"].get<double>());
  if (rule == "absolute") return "column max/mean ratio >= " + ratio + " (absolute rule)";
  if (rule == "both") return "column max/mean ratio >= " + k + " times the matrix's median and >= " + ratio + " (both rules)";
  return "column max/mean ratio >= " + k + " times the matrix's median ratio (relative rule)";
}

std::string attention_rule_text(const json& t) {
  return "a key receives >= " + three_digits(t["fraction_of_length"].get<double>()) + " x the sequence length and >= " +
         three_digits(t["uniform_multiple"].get<double>()) + " times its share under uniform attention";
}

// ---- lists over every input ------------------------------------------------------------------

struct TokenWriters {
  std::set<int64_t> channels;
  std::vector<json> writers;  // {layer, channel, column, share} (+ expert in a mixture)
};

// Writers per (input, position) from lifecycle.writers (every flagged entry at its first layer).
std::map<std::pair<int64_t, int64_t>, TokenWriters> writers_by_token(const json& report) {
  std::map<std::pair<int64_t, int64_t>, TokenWriters> out;
  const json* entries = find_json_path(report, {"lifecycle", "writers", "entries"});
  if (!entries) return out;
  for (const auto& e : *entries) {
    auto& t = out[{e["input"].get<int64_t>(), e["position"].get<int64_t>()}];
    t.channels.insert(e["channel"].get<int64_t>());
    for (const auto& w : e["writers"]) {
      t.writers.push_back({{"layer", e["layer"]}, {"channel", e["channel"]}, {"column", w["column"]}, {"share", w["share"]}});
      if (w.contains("expert")) t.writers.back()["expert"] = w["expert"];
    }
  }
  return out;
}

// Every resid_post outlier token of every input, with its channels and writer columns.
json outlier_tokens(const json& report) {
  json out = json::array();
  const json* tokens = find_json_path(report, {"activations", "sites", "resid_post", "tokens"});
  if (!tokens) return out;
  std::map<std::pair<int64_t, int64_t>, std::set<int64_t>> channels;
  for (const auto& o : report["activations"]["sites"]["resid_post"]["outliers"])
    channels[{o["input"].get<int64_t>(), o["position"].get<int64_t>()}].insert(o["channel"].get<int64_t>());
  const auto writers = writers_by_token(report);
  for (const auto& t : *tokens) {
    const std::pair<int64_t, int64_t> key{t["input"].get<int64_t>(), t["position"].get<int64_t>()};
    const auto w = writers.find(key);
    json token = {{"input", key.first}, {"position", key.second}, {"piece", t["piece"]}, {"class", t["class"]},
                  {"layers", t["layers"]}, {"max_abs", t["max_abs"]}, {"channels", channels[key]},
                  {"writers", w == writers.end() ? json::array() : json(w->second.writers)}};
    out.push_back(token);
  }
  return out;
}

// Writer columns of the entries first flagged at the emergence layer, by largest share:
// {"down_columns": [...]} and, in a mixture, "down_column_experts" (the expert of each).
json emergence_columns(const json& report, const json& emergence_layer) {
  json columns = json::array(), experts = json::array();
  const json* entries = find_json_path(report, {"lifecycle", "writers", "entries"});
  if (!entries || !emergence_layer.is_number()) return {{"down_columns", columns}};
  std::vector<std::pair<json, json>> seen;  // (expert, column)
  for (const auto& e : *entries) {
    if (e["layer"] != emergence_layer) continue;
    for (const auto& w : e["writers"]) {
      const std::pair<json, json> key{w.value("expert", json()), w["column"]};
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      columns.push_back(key.second);
      experts.push_back(key.first);
    }
  }
  json out = {{"down_columns", columns}};
  if (std::any_of(experts.begin(), experts.end(), [](const json& e) { return !e.is_null(); })) out["down_column_experts"] = experts;
  return out;
}

json site_summary(const json& site) {
  json layers = json::array();
  const json& n = site["per_layer"]["n_outliers"];
  for (size_t l = 0; l < n.size(); ++l)
    if (n[l].get<int64_t>() > 0) layers.push_back(l);
  json channels = json::array();
  double max_abs = 0.0;
  for (const auto& c : site["channels"]) {
    channels.push_back(c["channel"]);
    max_abs = std::max(max_abs, c["max_abs"].get<double>());
  }
  return {{"n_outliers", site.value("n_outliers_total", site["outliers"].size())}, {"layers", layers},
          {"channels", channels}, {"n_tokens", site["tokens"].size()}, {"max_abs", max_abs}};
}

json sinks(const json& report) {
  json out = json::array();
  const json* a = find_json_path(report, {"attention", "sink_positions"});
  if (!a) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    if ((*a)[i].empty()) continue;
    json pieces = json::array();
    for (const auto& p : (*a)[i]) pieces.push_back(report["inputs"][i]["pieces"].at(p.get<size_t>()));
    out.push_back({{"input", i}, {"positions", (*a)[i]}, {"pieces", pieces}});
  }
  return out;
}

json left_out(const json& report) {
  json out = json::array();
  if (const json* sites = find_json_path(report, {"activations", "sites"}))
    for (const auto& [name, site] : sites->items())
      if (site.value("outliers_left_out", 0) > 0)
        out.push_back({{"list", "activations.sites." + name + ".outliers"}, {"listed", site["outliers"].size()},
                       {"left_out", site["outliers_left_out"]}});
  if (const json* w = find_json_path(report, {"lifecycle", "writers"}))
    if (w->value("entries_left_out", 0) > 0)
      out.push_back({{"list", "lifecycle.writers.entries"}, {"listed", (*w)["entries"].size()},
                     {"left_out", (*w)["entries_left_out"]}});
  return out;
}

}  // namespace

nlohmann::json summary_json(const nlohmann::json& report) {
  json s = json::object();
  json ran = json::array();
  for (const char* part : {"weights", "activations", "attention", "lifecycle", "ablation"})
    if (report.contains(part)) ran.push_back(part);
  s["analyses"] = ran;
  s["emergence_layer"] = value_or_null(report, {"lifecycle", "emergence", "layer"});
  s["disappearance_layer"] = value_or_null(report, {"lifecycle", "disappearance", "layer"});
  s["outlier_channels"] = value_or_null(report, {"lifecycle", "emergence", "channels"});
  if (s["outlier_channels"].is_null()) s["outlier_channels"] = json::array();
  s.update(emergence_columns(report, s["emergence_layer"]));
  s["outlier_tokens"] = outlier_tokens(report);
  if (const json* resid = find_json_path(report, {"activations", "sites", "resid_post"})) {
    double max_abs = 0.0;
    for (const auto& v : (*resid)["per_layer"]["top1"]) max_abs = std::max(max_abs, v.get<double>());
    for (const auto& ch : (*resid)["channels"]) max_abs = std::max(max_abs, ch["max_abs"].get<double>());
    s["max_magnitude"] = max_abs;
    const json layer = s["emergence_layer"];
    s["median_magnitude"] = layer.is_number() ? (*resid)["per_layer"]["median"][layer.get<size_t>()] : json();
  }
  if (const json* sites = find_json_path(report, {"activations", "sites"})) {
    s["sites"] = json::object();
    for (const auto& [name, site] : sites->items()) s["sites"][name] = site_summary(site);
  }
  if (report.contains("attention")) {
    const json* first = find_json_path(report, {"attention", "sink_positions"});
    s["sink_positions"] = first && !first->empty() ? (*first)[0] : json::array();
    s["sinks"] = sinks(report);
    json heads = json::array();
    for (const auto& h : report["attention"]["heads_affected"]) heads.push_back({{"layer", h["layer"]}, {"head", h["head"]}});
    s["sink_heads"] = heads;
  }
  if (const json* w = find_json_path(report, {"weights", "outliers"})) {
    json cols = json::array();
    for (const auto& o : *w)
      if (o["module"] == "down" || (o.contains("expert") && o["module"].get<std::string>().ends_with(".down"))) {
        cols.push_back({{"layer", o["layer"]}, {"module", o["module"]}, {"column", o["index"]}, {"ratio", o["ratio"]}});
        if (o.contains("expert")) cols.back()["expert"] = o["expert"];
      }
    s["weight_outlier_columns"] = cols;
  }
  const json& t = report["thresholds"];
  s["rules"] = {{"activation", activation_rule_text(t["activation"])}, {"weight", weight_rule_text(t["weight"])},
                {"attention", attention_rule_text(t["attention"])}};
  s["left_out"] = left_out(report);
  s["findings"] = findings_json(report, s);
  return s;
}

}  // namespace osc::analysis
