// Lifecycle of the outliers (An et al. §4, lifecycle_*.py), from one input's captured hooks and
// the weights: emergence (the first layer with resid_post outliers, the down-projection columns
// that write them and the gate/up rows behind those columns), spread (q/k/v norms and attention
// at the next layer, outlier tokens versus the others) and disappearance (the layer where the
// magnitudes collapse and the down / o-projection columns that cancel them).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/capture.h"
#include "analysis/thresholds.h"
#include "analysis/weight_outliers.h"

namespace osc::analysis {

// The model's linear weights by layer (as for analyze_weights); modules are looked up by name.
using LayerWeights = std::vector<std::vector<LinearWeight>>;
const TensorView* find_module(const LayerWeights& weights, int64_t layer, const std::string& module);

// Where the outliers are at the emergence layer, for one input.
struct OutlierSite {
  int64_t layer = -1, input = -1;
  std::vector<int64_t> channels, positions;  // resid_post outlier channels / positions, largest first
  int64_t main_channel = -1, main_position = -1;
};
// From the resid_post analysis: the first outlier layer, on input 0 if it has outliers there,
// else on the first input that does. layer = -1 when there are none.
OutlierSite emergence_site(const SiteAnalysis& resid);

struct ColumnContribution {
  int64_t column = 0;
  double contribution = 0, share = 0, activation = 0, weight = 0;
};
// contribution_j = input[position, j] * W[channel, j] for W [out, in], largest |contribution|
// first; share = contribution / sum over all j.
std::vector<ColumnContribution> column_contributions(const TensorView& w, const float* input_row,
                                                     int64_t channel, size_t top);

nlohmann::json emergence_json(const OutlierSite& site, const Capture& capture, const LayerWeights& weights);
// head < 0: the head whose attention on the outlier positions is largest.
nlohmann::json spread_json(const OutlierSite& site, const Capture& capture, int64_t layer, int64_t head);
nlohmann::json disappearance_json(const OutlierSite& site, const Capture& capture, const LayerWeights& weights,
                                  const ActivationThresholds& thresholds);

// All three, and the writers of every outlier entry (outlier_writers.h); an empty object when no
// outliers emerge.
nlohmann::json lifecycle_json(const SiteAnalysis& resid, const std::vector<Capture>& captures,
                              const LayerWeights& weights, const ActivationThresholds& thresholds);

}  // namespace osc::analysis
