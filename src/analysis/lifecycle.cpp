#include "analysis/lifecycle.h"

#include <algorithm>
#include <cmath>

#include "analysis/outlier_writers.h"
#include "analysis/stats.h"
#include "core/error.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {
namespace {

void push_unique(std::vector<int64_t>& v, int64_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

const TensorView* find_module(const LayerWeights& weights, int64_t layer, const std::string& module) {
  if (layer < 0 || layer >= static_cast<int64_t>(weights.size())) return nullptr;
  for (const auto& lw : weights[static_cast<size_t>(layer)])
    if (lw.module == module) return &lw.view;
  return nullptr;
}

OutlierSite emergence_site(const SiteAnalysis& resid) {
  OutlierSite site;
  site.layer = first_outlier_layer(resid);
  if (site.layer < 0) return site;
  // Input 0 (the default prompt) when it has outliers there, else the input of the largest one.
  for (const auto& o : resid.outliers) {  // largest first
    if (o.layer != site.layer) continue;
    if (site.input < 0 || o.input == 0) site.input = o.input;
    if (site.input == 0) break;
  }
  for (const auto& o : resid.outliers) {
    if (o.layer != site.layer || o.input != site.input) continue;
    push_unique(site.channels, o.channel);
    push_unique(site.positions, o.position);
  }
  site.main_channel = site.channels.front();
  site.main_position = site.positions.front();
  return site;
}

std::vector<ColumnContribution> column_contributions(const TensorView& w, const float* input_row,
                                                     int64_t channel, size_t top) {
  OSC_CHECK_INPUT(w.rank() == 2 && channel >= 0 && channel < w.rows(), "column contributions",
                  "channel " + std::to_string(channel) + " outside weight " + shape_to_string(w.shape));
  std::vector<float> row(static_cast<size_t>(w.row_length()));
  w.row_to_f32(channel, row.data());
  std::vector<float> magnitude(row.size());
  double total = 0.0;
  for (size_t j = 0; j < row.size(); ++j) {
    const double c = static_cast<double>(input_row[j]) * row[j];
    magnitude[j] = static_cast<float>(std::fabs(c));
    total += c;
  }
  std::vector<ColumnContribution> out;
  for (int64_t j : top_k_indices(magnitude, static_cast<int64_t>(top))) {
    const double c = static_cast<double>(input_row[j]) * row[static_cast<size_t>(j)];
    out.push_back({j, c, total != 0.0 ? c / total : 0.0, input_row[j], row[static_cast<size_t>(j)]});
  }
  return out;
}

nlohmann::json lifecycle_json(const SiteAnalysis& resid, const std::vector<Capture>& captures,
                              const LayerWeights& weights, const ActivationThresholds& thresholds) {
  const OutlierSite site = emergence_site(resid);
  if (site.layer < 0) return nlohmann::json::object();
  const Capture& capture = captures[static_cast<size_t>(site.input)];
  nlohmann::json j = {{"emergence", emergence_json(site, capture, weights)}};
  if (site.layer + 1 < resid.n_layers && find_hook(capture, osc::hook_name(site.layer + 1, HookPoint::Q)))
    j["spread"] = spread_json(site, capture, site.layer + 1, -1);
  j["disappearance"] = disappearance_json(site, capture, weights, thresholds);
  j["writers"] = writers_json(attribute_writers(resid, captures, weights, thresholds.writer_share), captures);
  return j;
}

}  // namespace osc::analysis
