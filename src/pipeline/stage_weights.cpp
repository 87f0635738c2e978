#include "pipeline/stage_weights.h"

#include <cstdint>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "analysis/model_capture.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "pipeline/json_bytes.h"

namespace osc::pipeline {
namespace {

using analysis::IndexedValue;
using analysis::LayerWeightSummary;
using analysis::ModuleSummary;

// The kinds of message of the weight statistics (apart from the pass tags of layer_pipeline.cpp).
enum Tag : int { kSummaries = 11, kLandscape = 12 };

nlohmann::json values_json(const std::vector<IndexedValue>& values) {
  nlohmann::json j = nlohmann::json::array();
  for (const IndexedValue& v : values) j.push_back({v.index, v.value});
  return j;
}

std::vector<IndexedValue> values_of(const nlohmann::json& j) {
  std::vector<IndexedValue> values;
  for (const nlohmann::json& v : j) values.push_back({v[0].get<int64_t>(), v[1].get<double>()});
  return values;
}

nlohmann::json module_json(const ModuleSummary& m) {
  return {m.shape, m.max_col_ratio, m.median_col_ratio, m.max_row_ratio, m.median_row_ratio, m.max_ratio,
          values_json(m.top_columns), values_json(m.top_rows), values_json(m.outlier_columns)};
}

ModuleSummary module_of(const nlohmann::json& j) {
  return {j[0].get<Shape>(), j[1].get<double>(), j[2].get<double>(), j[3].get<double>(), j[4].get<double>(),
          j[5].get<double>(), values_of(j[6]), values_of(j[7]), values_of(j[8])};
}

nlohmann::json summary_json(const LayerWeightSummary& s) {
  nlohmann::json modules = nlohmann::json::array();
  for (const auto& [name, m] : s.modules) modules.push_back({name, module_json(m)});
  const analysis::DownColumns& d = s.down;
  return {modules, {d.present, d.expert_width, d.max_ratio, d.median_ratio, values_json(d.top)}};
}

LayerWeightSummary summary_of(const nlohmann::json& j) {
  LayerWeightSummary s;
  for (const nlohmann::json& m : j[0]) s.modules.emplace_back(m[0].get<std::string>(), module_of(m[1]));
  const nlohmann::json& d = j[1];
  s.down = {d[0].get<bool>(), d[1].get<int64_t>(), d[2].get<double>(), d[3].get<double>(), values_of(d[4])};
  return s;
}

// This rank's layers, summarised one layer at a time: [first, end) of the model's layers.
std::vector<LayerWeightSummary> own_summaries(const analysis::LayerWeights& weights, LayerRange layers,
                                              const analysis::WeightThresholds& thresholds, bool quiet) {
  std::vector<LayerWeightSummary> summaries;
  const int64_t end = layers.end_in(static_cast<int64_t>(weights.size()));
  Progress progress("weights", end - layers.first, "layers", quiet || !dist::is_root());
  for (int64_t l = layers.first; l < end; ++l) {
    summaries.push_back(analysis::analyze_layer_weights(weights[static_cast<size_t>(l)], l, thresholds));
    progress.update(l + 1 - layers.first);
  }
  progress.finish();
  return summaries;
}

// Rank 0 gathers the ranks' summaries in rank order (= layer order) and hands every rank the whole set.
std::vector<LayerWeightSummary> all_summaries(std::vector<LayerWeightSummary> mine) {
  if (!dist::is_root()) {
    dist::send_sized(pack_layer_summaries(mine), 0, kSummaries, "the weight statistics of its layers");
    return unpack_layer_summaries(dist::receive_sized(0, kSummaries, "every layer's weight statistics"));
  }
  for (int r = 1; r < dist::size(); ++r)
    for (LayerWeightSummary& s : unpack_layer_summaries(dist::receive_sized(r, kSummaries, "the weight statistics of its layers")))
      mine.push_back(std::move(s));
  const std::vector<std::byte> all = pack_layer_summaries(mine);
  for (int r = 1; r < dist::size(); ++r) dist::send_sized(all, r, kSummaries, "every layer's weight statistics");
  return mine;
}

}  // namespace

std::vector<std::byte> pack_layer_summaries(const std::vector<LayerWeightSummary>& layers) {
  nlohmann::json j = nlohmann::json::array();
  for (const LayerWeightSummary& s : layers) j.push_back(summary_json(s));
  return bytes_of(j);
}

std::vector<LayerWeightSummary> unpack_layer_summaries(const std::vector<std::byte>& message) {
  std::vector<LayerWeightSummary> layers;
  for (const nlohmann::json& s : json_of(message)) layers.push_back(summary_of(s));
  return layers;
}

analysis::WeightAnalysis stage_weight_analysis(const LayerPipeline& job, const analysis::WeightThresholds& thresholds,
                                               bool quiet) {
  // Only this rank's layers have weights here; the others' lists are empty.
  const analysis::LayerWeights weights = analysis::model_linear_weights(job.model());
  if (dist::size() == 1) return analysis::analyze_weights(weights, thresholds, quiet);
  // Every rank assembles the same curves; the one holding the strongest down column's layer also
  // draws its landscape (a null one elsewhere) and sends it to rank 0.
  analysis::WeightAnalysis a =
      analysis::assemble_weight_analysis(all_summaries(own_summaries(weights, job.layers(), thresholds, quiet)), weights);
  const int64_t layer = analysis::strongest_down_column(a).first;
  if (layer < 0) return a;
  const int64_t n_layers = job.model().config().n_layers;
  int owner = 0;
  while (!stage_layers(n_layers, owner, dist::size()).contains(layer, n_layers)) ++owner;
  if (owner == 0) return a;
  const std::string what = "the weight landscape of layer " + std::to_string(layer);
  if (dist::rank() == owner) dist::send_sized(bytes_of(a.landscape), 0, kLandscape, what);
  if (dist::is_root()) a.landscape = json_of(dist::receive_sized(owner, kLandscape, what));
  return a;
}

}  // namespace osc::pipeline
