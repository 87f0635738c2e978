// Weight outliers (An et al. §3, pos_weight_outliers): for a linear weight W [out, in], the ratio
// of a column j is max_i |W[i,j]| / (mean_i |W[i,j]| + 1e-8), of a row i max_j |W[i,j]| /
// (mean_j |W[i,j]| + 1e-8); a module's number is the larger of its largest column and row ratio.
// Weights are streamed in row blocks in their stored dtype (bf16 / quantized stay mmap'd).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/thresholds.h"
#include "core/tensor.h"

namespace osc::analysis {

struct IndexedValue {
  int64_t index = 0;
  double value = 0.0;
};

// Per-column and per-row max/mean ratios of |W|.
struct MatrixRatios {
  Shape shape;                    // [out, in]
  std::vector<float> col_ratio;   // [in]
  std::vector<float> row_ratio;   // [out]
};
MatrixRatios matrix_ratios(const TensorView& w, const std::string& where);

struct ModuleSummary {
  Shape shape;
  double max_col_ratio = 0, median_col_ratio = 0, max_row_ratio = 0, median_row_ratio = 0;
  double max_ratio = 0;                        // max(max_col_ratio, max_row_ratio)
  std::vector<IndexedValue> top_columns, top_rows;  // top 3, largest first
  std::vector<IndexedValue> outlier_columns;   // columns passing the threshold, largest first
};
ModuleSummary summarize_module(const MatrixRatios& ratios, const WeightThresholds& thresholds);

// One layer's linear weights by module name ("q", "k", "v", "o", "gate", "up", "down", "qkv").
struct LinearWeight {
  std::string module;
  TensorView view;
};

struct LayerWeightSummary {
  std::vector<std::pair<std::string, ModuleSummary>> modules;  // in the order given
  const ModuleSummary* find(const std::string& module) const;
};

struct WeightAnalysis {
  std::vector<std::string> modules;              // module names present, canonical order
  std::vector<LayerWeightSummary> layers;
  nlohmann::json landscape;                      // |W| around the strongest down column (null if none)
};

// Analyses every layer's weights (layers[L] = that layer's modules); `quiet` hides the progress line.
WeightAnalysis analyze_weights(const std::vector<std::vector<LinearWeight>>& layers,
                               const WeightThresholds& thresholds, bool quiet);

// The strongest weight-outlier down column over all layers: {layer, column}; {-1, -1} if no layer
// has a down module.
std::pair<int64_t, int64_t> strongest_down_column(const WeightAnalysis& analysis);

nlohmann::json weights_to_json(const WeightAnalysis& analysis);

}  // namespace osc::analysis
