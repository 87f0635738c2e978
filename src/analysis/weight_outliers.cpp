#include "analysis/weight_outliers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "analysis/stats.h"
#include "analysis/weight_landscape.h"
#include "core/error.h"
#include "core/progress.h"

namespace osc::analysis {
namespace {

constexpr int64_t kTopCount = 3;
const std::vector<std::string> kCanonicalModules = {"q", "k", "v", "qkv", "o", "router", "gate", "up", "down"};
const std::vector<std::string> kExpertKinds = {"gate", "up", "down"};
const std::string kExpertPrefix = "experts.";

std::vector<IndexedValue> top_entries(const std::vector<float>& ratios, int64_t k) {
  std::vector<IndexedValue> out;
  for (int64_t i : top_k_indices(ratios, k)) out.push_back({i, ratios[static_cast<size_t>(i)]});
  return out;
}

nlohmann::json indexed_to_json(const std::vector<IndexedValue>& entries) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : entries) j.push_back({{"index", e.index}, {"ratio", e.value}});
  return j;
}

nlohmann::json module_to_json(const ModuleSummary& m) {
  return {{"shape", m.shape},
          {"max_col_ratio", m.max_col_ratio},
          {"median_col_ratio", m.median_col_ratio},
          {"max_row_ratio", m.max_row_ratio},
          {"median_row_ratio", m.median_row_ratio},
          {"max_ratio", m.max_ratio},
          {"top_columns", indexed_to_json(m.top_columns)},
          {"top_rows", indexed_to_json(m.top_rows)}};
}

double max_of(const std::vector<float>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

// Per-layer curves of the down projection (pos_weight.png).
nlohmann::json down_curves(const WeightAnalysis& a) {
  nlohmann::json max_ratio = nlohmann::json::array(), median = nlohmann::json::array();
  nlohmann::json top_columns = nlohmann::json::array(), top_ratios = nlohmann::json::array();
  for (const auto& layer : a.layers) {
    const DownColumns& down = layer.down;
    max_ratio.push_back(down.present ? nlohmann::json(down.max_ratio) : nlohmann::json());
    median.push_back(down.present ? nlohmann::json(down.median_ratio) : nlohmann::json());
    nlohmann::json cols = nlohmann::json::array(), ratios = nlohmann::json::array();
    for (const auto& e : down.top) cols.push_back(e.index), ratios.push_back(e.value);
    top_columns.push_back(cols);
    top_ratios.push_back(ratios);
  }
  return {{"max_col_ratio", max_ratio}, {"median_col_ratio", median},
          {"top3_columns", top_columns}, {"top3_ratios", top_ratios}};
}

// A module curve's value at one layer: the module's max_ratio, or for "experts.<kind>" the largest
// over the layer's experts; null when the layer has none.
nlohmann::json curve_value(const LayerWeightSummary& layer, const std::string& curve) {
  if (curve.rfind(kExpertPrefix, 0) != 0) {
    const ModuleSummary* m = layer.find(curve);
    return m ? nlohmann::json(m->max_ratio) : nlohmann::json();
  }
  nlohmann::json best;
  std::string kind;
  for (const auto& [name, m] : layer.modules)
    if (module_expert(name, &kind) >= 0 && kExpertPrefix + kind == curve && (best.is_null() || m.max_ratio > best.get<double>()))
      best = m.max_ratio;
  return best;
}

// The paper's "ratio across modules": max_ratio per module and layer, plus their mean.
nlohmann::json module_curves(const WeightAnalysis& a) {
  nlohmann::json curves = nlohmann::json::object();
  std::vector<double> sum(a.layers.size(), 0.0);
  std::vector<int> count(a.layers.size(), 0);
  for (const auto& module : a.modules) {
    nlohmann::json curve = nlohmann::json::array();
    for (size_t l = 0; l < a.layers.size(); ++l) {
      const nlohmann::json value = curve_value(a.layers[l], module);
      curve.push_back(value);
      if (!value.is_null()) sum[l] += value.get<double>(), ++count[l];
    }
    curves[module] = curve;
  }
  nlohmann::json mean = nlohmann::json::array();
  for (size_t l = 0; l < a.layers.size(); ++l) mean.push_back(count[l] ? sum[l] / count[l] : 0.0);
  curves["reference_mean"] = mean;
  return curves;
}

nlohmann::json outliers_to_json(const WeightAnalysis& a) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t l = 0; l < a.layers.size(); ++l)
    for (const auto& [name, m] : a.layers[l].modules)
      for (const auto& e : m.outlier_columns) {
        nlohmann::json entry = {{"layer", l}, {"module", name}, {"axis", "column"}, {"index", e.index}, {"ratio", e.value}};
        if (const int64_t expert = module_expert(name); expert >= 0) entry["expert"] = expert;
        out.push_back(entry);
      }
  return out;
}

// The layer's down columns from the dense down matrix or the experts' (in expert order).
DownColumns down_columns(const std::vector<float>& dense, const std::map<int64_t, std::vector<float>>& experts) {
  DownColumns d;
  std::vector<float> ratios = dense;
  for (const auto& [expert, r] : experts) {
    d.expert_width = static_cast<int64_t>(r.size());
    ratios.insert(ratios.end(), r.begin(), r.end());
  }
  if (ratios.empty()) return d;
  d.present = true;
  d.max_ratio = max_of(ratios);
  d.median_ratio = median_of(ratios);
  d.top = top_entries(ratios, kTopCount);
  return d;
}

// Module kinds seen, in canonical order, then the expert curves.
std::vector<std::string> curve_names(const std::set<std::string>& seen, const std::set<std::string>& expert_kinds) {
  std::vector<std::string> out;
  for (const auto& m : kCanonicalModules)
    if (seen.count(m)) out.push_back(m);
  for (const auto& k : kExpertKinds)
    if (expert_kinds.count(k)) out.push_back(kExpertPrefix + k);
  return out;
}

}  // namespace

ModuleSummary summarize_module(const MatrixRatios& ratios, const WeightThresholds& thresholds) {
  ModuleSummary m;
  m.shape = ratios.shape;
  m.max_col_ratio = max_of(ratios.col_ratio);
  m.median_col_ratio = median_of(ratios.col_ratio);
  m.max_row_ratio = max_of(ratios.row_ratio);
  m.median_row_ratio = median_of(ratios.row_ratio);
  m.max_ratio = std::max(m.max_col_ratio, m.max_row_ratio);
  m.top_columns = top_entries(ratios.col_ratio, kTopCount);
  m.top_rows = top_entries(ratios.row_ratio, kTopCount);
  const double relative_bound = thresholds.relative_to_median * m.median_col_ratio;
  for (int64_t j : top_k_indices(ratios.col_ratio, static_cast<int64_t>(ratios.col_ratio.size()))) {
    const double ratio = ratios.col_ratio[static_cast<size_t>(j)];
    if (!passes(thresholds.rule, ratio, relative_bound, thresholds.ratio_min)) break;  // sorted: the rest fail too
    m.outlier_columns.push_back({j, ratio});
  }
  return m;
}

const ModuleSummary* LayerWeightSummary::find(const std::string& module) const {
  for (const auto& [name, m] : modules)
    if (name == module) return &m;
  return nullptr;
}

std::string expert_module(int64_t expert, const std::string& kind) {
  return kExpertPrefix + std::to_string(expert) + "." + kind;
}

int64_t module_expert(const std::string& module, std::string* kind) {
  if (module.rfind(kExpertPrefix, 0) != 0) return -1;
  const size_t dot = module.find('.', kExpertPrefix.size());
  if (dot == std::string::npos || dot == kExpertPrefix.size()) return -1;
  const std::string digits = module.substr(kExpertPrefix.size(), dot - kExpertPrefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  if (kind) *kind = module.substr(dot + 1);
  return std::stoll(digits);
}

LayerWeightSummary analyze_layer_weights(const std::vector<LinearWeight>& modules, int64_t layer,
                                         const WeightThresholds& thresholds) {
  LayerWeightSummary summary;
  std::vector<float> dense_down;
  std::map<int64_t, std::vector<float>> expert_downs;  // expert -> column ratios [d_ff]
  for (const auto& lw : modules) {
    const std::string where = "layer " + std::to_string(layer) + " " + lw.module + " weight";
    MatrixRatios ratios = matrix_ratios(lw.view, where);
    summary.modules.emplace_back(lw.module, summarize_module(ratios, thresholds));
    std::string kind;
    const int64_t expert = module_expert(lw.module, &kind);
    if (lw.module == "down") dense_down = std::move(ratios.col_ratio);
    if (expert >= 0 && kind == "down") expert_downs[expert] = std::move(ratios.col_ratio);
  }
  summary.down = down_columns(dense_down, expert_downs);
  return summary;
}

WeightAnalysis assemble_weight_analysis(std::vector<LayerWeightSummary> layers,
                                        const std::vector<std::vector<LinearWeight>>& weights) {
  WeightAnalysis a;
  a.layers = std::move(layers);
  std::set<std::string> seen, expert_kinds;
  for (const auto& layer : a.layers)
    for (const auto& [name, m] : layer.modules) {
      std::string kind;
      if (module_expert(name, &kind) >= 0) expert_kinds.insert(kind);
      else seen.insert(name);
    }
  a.modules = curve_names(seen, expert_kinds);

  const auto [layer, column] = strongest_down_column(a);
  if (layer < 0) return a;
  const int64_t width = a.layers[static_cast<size_t>(layer)].down.expert_width;
  const std::string module = width > 0 ? expert_module(column / width, "down") : "down";
  for (const auto& lw : weights[static_cast<size_t>(layer)])
    if (lw.module == module) a.landscape = weight_landscape(lw.view, layer, module, width > 0 ? column % width : column, false);
  return a;
}

WeightAnalysis analyze_weights(const std::vector<std::vector<LinearWeight>>& layers,
                               const WeightThresholds& thresholds, bool quiet) {
  std::vector<LayerWeightSummary> summaries;
  Progress progress("weights", static_cast<int64_t>(layers.size()), "layers", quiet);
  for (size_t l = 0; l < layers.size(); ++l) {
    summaries.push_back(analyze_layer_weights(layers[l], static_cast<int64_t>(l), thresholds));
    progress.update(static_cast<int64_t>(l + 1));
  }
  progress.finish();
  return assemble_weight_analysis(std::move(summaries), layers);
}

std::pair<int64_t, int64_t> strongest_down_column(const WeightAnalysis& analysis) {
  std::pair<int64_t, int64_t> best{-1, -1};
  double best_ratio = -1.0;
  for (size_t l = 0; l < analysis.layers.size(); ++l) {
    const DownColumns& down = analysis.layers[l].down;
    if (down.top.empty() || down.top[0].value <= best_ratio) continue;
    best_ratio = down.top[0].value;
    best = {static_cast<int64_t>(l), down.top[0].index};
  }
  return best;
}

nlohmann::json weights_to_json(const WeightAnalysis& a) {
  nlohmann::json per_layer = nlohmann::json::array();
  for (size_t l = 0; l < a.layers.size(); ++l) {
    nlohmann::json modules = nlohmann::json::object();
    for (const auto& [name, m] : a.layers[l].modules) modules[name] = module_to_json(m);
    per_layer.push_back({{"layer", l}, {"modules", modules}});
  }
  return {{"modules", a.modules},      {"per_layer", per_layer},
          {"down", down_curves(a)},    {"module_max_ratio", module_curves(a)},
          {"outliers", outliers_to_json(a)}, {"landscape", a.landscape}};
}

}  // namespace osc::analysis
