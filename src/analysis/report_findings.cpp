#include "analysis/report_findings.h"

#include <map>
#include <set>
#include <tuple>

#include "analysis/summary_format.h"
#include "core/json_fields.h"

namespace osc::analysis {
namespace {

using nlohmann::json;

json row(const std::string& topic, const std::string& sentence, json layer, const std::string& where,
         const std::string& size, const std::string& figure) {
  return {{"topic", topic}, {"sentence", sentence}, {"layer", std::move(layer)}, {"where", where},
          {"size", size}, {"figure", figure}};
}

std::string quoted_piece(const json& piece) { return piece.is_string() ? piece.dump() : "?"; }

// "0 \"<s>\" (input 0)"
std::string token_label(const json& token) {
  return token["position"].dump() + " " + quoted_piece(token["piece"]) + " (input " + token["input"].dump() + ")";
}

std::vector<std::string> as_strings(const json& list) {
  std::vector<std::string> out;
  for (const auto& v : list) out.push_back(v.dump());
  return out;
}

std::string plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

json massive_activations(const json& s) {
  const std::string rule = s["rules"]["activation"].get<std::string>();
  if (s["emergence_layer"].is_null()) {
    return row("massive activations", "No massive activations in the residual stream (resid_post): no entry has " + rule + ".",
               nullptr, "-", "-", "layer_curves");
  }
  std::vector<std::string> tokens;
  for (const auto& t : s["outlier_tokens"]) tokens.push_back(token_label(t));
  const double max_abs = s.value("max_magnitude", 0.0);
  const json median = s.value("median_magnitude", json());
  const std::string size = "max |x| " + (median.is_number() ? times_median(max_abs, median.get<double>()) : three_digits(max_abs));
  const std::string channels = short_list(as_strings(s["outlier_channels"]));
  const std::string end = s["disappearance_layer"].is_null() ? "they persist to the last layer"
                                                             : "they disappear at layer " + s["disappearance_layer"].dump();
  const std::string sentence = "Massive activations emerge at layer " + s["emergence_layer"].dump() + " in channel" +
                               (s["outlier_channels"].size() == 1 ? " " : "s ") + channels + ", on " +
                               plural(tokens.size(), "token", "tokens") + ": " + short_list(tokens) + "; " + size +
                               "; " + end + ".";
  return row("massive activations", sentence, s["emergence_layer"],
             "channels " + channels + "; tokens " + short_list(tokens), size, "landscape");
}

// "column 7000 of layer 1", in a mixture "column 7000 of expert 3 in layer 1".
std::string column_label(int64_t column, int64_t expert, const std::string& layer) {
  return "column " + std::to_string(column) + (expert < 0 ? " of layer " : " of expert " + std::to_string(expert) + " in layer ") + layer;
}

// "column 7000 of layer 1 (channel 1415 99.7%, channel 2533 101%)" per writer column of one token.
std::vector<std::string> token_writers(const json& token) {
  std::map<std::tuple<int64_t, int64_t, int64_t>, std::vector<std::string>> by_column;  // (layer, expert, column) -> shares
  for (const auto& w : token["writers"])
    by_column[{w["layer"].get<int64_t>(), w.value("expert", int64_t{-1}), w["column"].get<int64_t>()}].push_back(
        "channel " + w["channel"].dump() + " " + three_digits(100.0 * w["share"].get<double>()) + "%");
  std::vector<std::string> out;
  for (const auto& [key, shares] : by_column)
    out.push_back(column_label(std::get<2>(key), std::get<1>(key), std::to_string(std::get<0>(key))) + " (" + short_list(shares, 4) + ")");
  return out;
}

json writers(const json& s, double writer_share) {
  std::vector<std::string> parts;
  std::set<std::pair<int64_t, int64_t>> columns;  // (expert, column)
  for (const auto& t : s["outlier_tokens"]) {
    for (const auto& w : t["writers"]) columns.insert({w.value("expert", int64_t{-1}), w["column"].get<int64_t>()});
    const std::vector<std::string> cols = token_writers(t);
    parts.push_back("token " + token_label(t) + ": " + (cols.empty() ? "no single column" : short_list(cols, 4)));
  }
  const std::string sentence = "Down-projection columns write them: " + short_list(parts, 12) + ".";
  std::vector<std::string> all;
  for (const auto& [expert, column] : columns)
    all.push_back(std::to_string(column) + (expert < 0 ? "" : " (expert " + std::to_string(expert) + ")"));
  return row("written by", sentence, s["emergence_layer"], "down-projection columns " + (all.empty() ? "none" : short_list(all)),
             "each >= " + three_digits(100.0 * writer_share) + "% of the entry", "lifecycle");
}

json mlp_post(const json& s) {
  const json& site = s["sites"]["mlp_post"];
  const std::string rule = s["rules"]["activation"].get<std::string>();
  if (site["n_outliers"].get<int64_t>() == 0)
    return row("down-projection input", "No outliers in the down-projection input (mlp_post): no entry has " + rule + ".",
               nullptr, "-", "-", "layer_curves");
  const std::string layers = short_list(as_strings(site["layers"]));
  const std::string channels = short_list(as_strings(site["channels"]));
  const std::string size = "max |x| " + three_digits(site["max_abs"].get<double>());
  return row("down-projection input",
             "The down-projection input (mlp_post) has " + plural(site["n_outliers"].get<size_t>(), "outlier entry", "outlier entries") +
                 " in layer(s) " + layers + ", channels " + channels + " (" + plural(site["n_tokens"].get<size_t>(), "token", "tokens") +
                 "); " + size + ".",
             site["layers"].empty() ? json() : site["layers"][0], "channels " + channels, size, "landscape");
}

json attention(const json& s) {
  if (s["sinks"].empty())
    return row("attention sinks", "No attention sinks: no key passed the rule (" + s["rules"]["attention"].get<std::string>() + ").",
               nullptr, "-", "-", "attention");
  std::vector<std::string> per_input;
  for (const auto& in : s["sinks"]) {
    std::vector<std::string> keys;
    for (size_t i = 0; i < in["positions"].size(); ++i) keys.push_back(in["positions"][i].dump() + " " + quoted_piece(in["pieces"][i]));
    per_input.push_back("keys " + short_list(keys) + " of input " + in["input"].dump());
  }
  std::set<int64_t> layers;
  for (const auto& h : s["sink_heads"]) layers.insert(h["layer"].get<int64_t>());
  std::vector<std::string> layer_list;
  for (int64_t l : layers) layer_list.push_back(std::to_string(l));
  const std::string heads = plural(s["sink_heads"].size(), "(layer, head) pair", "(layer, head) pairs") +
                            (layer_list.empty() ? "" : " in layer(s) " + short_list(layer_list));
  return row("attention sinks", "Attention sinks on " + short_list(per_input, 6) + "; " + heads + " attend to them.",
             layer_list.empty() ? json() : json(std::stoll(layer_list.front())), short_list(per_input, 6), heads, "attention");
}

double median_col_ratio(const json& report, int64_t layer, const std::string& module) {
  const json* per_layer = find_json_path(report, {"weights", "per_layer"});
  if (!per_layer) return 0.0;
  for (const auto& l : *per_layer)
    if (l["layer"] == layer && l["modules"].contains(module)) return l["modules"][module]["median_col_ratio"].get<double>();
  return 0.0;
}

json weights(const json& report, const json& s) {
  const json& cols = s["weight_outlier_columns"];
  if (cols.empty())
    return row("weight outliers", "No weight outliers in the down projections: no column has a " + s["rules"]["weight"].get<std::string>() + ".",
               nullptr, "-", "-", "landscape");
  std::vector<std::string> items;
  for (const auto& c : cols) {
    const double ratio = c["ratio"].get<double>();
    const int64_t layer = c["layer"].get<int64_t>();
    items.push_back(column_label(c["column"].get<int64_t>(), c.value("expert", int64_t{-1}), std::to_string(layer)) + " (max/mean " +
                    times_median(ratio, median_col_ratio(report, layer, c["module"].get<std::string>())) + ")");
  }
  return row("weight outliers", "Weight outliers in the down projections: " + short_list(items, 6) + ".", cols[0]["layer"],
             short_list(items, 3), "max/mean " + three_digits(cols[0]["ratio"].get<double>()), "landscape");
}

json ablation(const json& report) {
  const json& a = report["ablation"];
  if (!a.contains("perplexity"))
    return row("ablation", "Ablation skipped: " + a.value("skipped", std::string("no outliers")) + ".", nullptr, "-", "-", "");
  auto ppl = [](const json& v) { return v.is_number() ? three_digits(v.get<double>()) : v.get<std::string>(); };
  const json& p = a["perplexity"];
  const std::string size = ppl(p["original"]) + " -> " + ppl(p["zero"]) + " (zero), " + ppl(p["mean"]) + " (mean)";
  return row("ablation",
             "Perplexity " + ppl(p["original"]) + "; with the outliers set to zero " + ppl(p["zero"]) + ", set to their mean " +
                 ppl(p["mean"]) + ".",
             nullptr, "emergence channels", size, "");
}

}  // namespace

json findings_json(const json& report, const json& s) {
  json rows = json::array();
  if (report.contains("activations")) {
    rows.push_back(massive_activations(s));
    if (report.contains("lifecycle") && !s["emergence_layer"].is_null())
      rows.push_back(writers(s, report["thresholds"]["activation"].value("writer_share", 0.0)));
    if (s["sites"].contains("mlp_post")) rows.push_back(mlp_post(s));
  }
  if (report.contains("attention")) rows.push_back(attention(s));
  if (report.contains("weights")) rows.push_back(weights(report, s));
  if (report.contains("ablation")) rows.push_back(ablation(report));
  for (const auto& l : s["left_out"])
    rows.push_back(row("shortened list", "The report lists " + l["listed"].dump() + " of " +
                                             std::to_string(l["listed"].get<int64_t>() + l["left_out"].get<int64_t>()) + " entries of " +
                                             l["list"].get<std::string>() + " (" + l["left_out"].dump() + " left out, the smallest).",
                       nullptr, l["list"], l["left_out"].dump() + " left out", ""));
  return rows;
}

}  // namespace osc::analysis
