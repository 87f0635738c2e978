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

// One layer's linear weights by module name ("q", "k", "v", "qkv", "o", "router", "gate", "up",
// "down"; a mixture's experts "experts.{e}.gate" / ".up" / ".down", each with the rows and columns
// of that expert's own matrix).
struct LinearWeight {
  std::string module;
  TensorView view;
};

// "experts.{e}.{kind}".
std::string expert_module(int64_t expert, const std::string& kind);
// e of "experts.{e}.{kind}" (and its kind), -1 for every other module.
int64_t module_expert(const std::string& module, std::string* kind = nullptr);

// A layer's down-projection columns as pos_weight shows them: a dense W_down [d_model, d_ff], or a
// mixture's expert W_down side by side [d_model, E·d_ff] (column e·d_ff + j = column j of expert e,
// numbered as mlp.hook_post's channels).
struct DownColumns {
  bool present = false;
  int64_t expert_width = 0;  // d_ff of one expert (0: a dense MLP)
  double max_ratio = 0, median_ratio = 0;
  std::vector<IndexedValue> top;  // top 3, largest first
};

struct LayerWeightSummary {
  std::vector<std::pair<std::string, ModuleSummary>> modules;  // in the order given
  DownColumns down;
  const ModuleSummary* find(const std::string& module) const;
};

struct WeightAnalysis {
  // Curves of module_max_ratio, canonical order: the modules present, then "experts.gate" /
  // "experts.up" / "experts.down" (the largest over a layer's experts) for a mixture.
  std::vector<std::string> modules;
  std::vector<LayerWeightSummary> layers;
  nlohmann::json landscape;                      // |W| around the strongest down column (null if none)
};

// One layer's part of the weight statistics: every module's ratios and the layer's down columns
// (reads each of the layer's weights once). `layer` names it in error messages.
LayerWeightSummary analyze_layer_weights(const std::vector<LinearWeight>& modules, int64_t layer,
                                         const WeightThresholds& thresholds);

// The analysis from every layer's summary (summaries[l] of layer l, from analyze_layer_weights):
// the curve names, and the landscape around the strongest down column, which reads that one
// matrix of `weights` (the model's linear weights by layer) again.
WeightAnalysis assemble_weight_analysis(std::vector<LayerWeightSummary> summaries,
                                        const std::vector<std::vector<LinearWeight>>& weights);

// Analyses every layer's weights (layers[L] = that layer's modules), layer after layer, then
// assembles them; `quiet` hides the progress line.
WeightAnalysis analyze_weights(const std::vector<std::vector<LinearWeight>>& layers,
                               const WeightThresholds& thresholds, bool quiet);

// The strongest weight-outlier down column over all layers: {layer, column} (a mixture's column
// numbered e·d_ff + j as in DownColumns); {-1, -1} if no layer has a down projection.
std::pair<int64_t, int64_t> strongest_down_column(const WeightAnalysis& analysis);

nlohmann::json weights_to_json(const WeightAnalysis& analysis);

}  // namespace osc::analysis
