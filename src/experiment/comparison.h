// The variant comparison: per trained variant its validation loss, per-layer outlier statistics
// and compressed perplexities, written as tables (summary.csv, layers.csv, comparison.md) and as
// the comparison JSON that the figures read (docs/figures.md, schema outlierscope.comparison).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/efficiency.h"
#include "experiment/layer_stats.h"

namespace osc::experiment {

struct VariantResult {
  std::string variant;  // attention variant name, "softmax"
  int64_t steps = 0;
  double train_seconds = 0, train_loss = 0, val_loss = 0;
  std::vector<LayerStats> layers;
  std::vector<std::pair<Compression, double>> perplexity;  // in all_compressions() order
  nlohmann::json landscape;                                 // residual_landscape(), or null
};

// "(a) softmax", "(d) attn_bias", ...: An et al.'s letters for the variants of their Table
// (a-f); other variants keep their plain name.
std::string variant_label(const std::string& variant);

// Column names of the two tables, in file order.
const std::vector<std::string>& summary_columns();
const std::vector<std::string>& layer_columns();

std::string summary_csv(const std::vector<VariantResult>& results);
std::string layers_csv(const std::vector<VariantResult>& results);
std::string comparison_markdown(const std::vector<VariantResult>& results);
// settings: free-form JSON recorded as "settings" (model shape, budget, data).
nlohmann::json comparison_json(const std::vector<VariantResult>& results, const std::string& title,
                               const nlohmann::json& settings);

// Writes summary.csv, layers.csv, comparison.md and comparison.json into out_dir (atomically).
void write_comparison_tables(const std::string& out_dir, const std::vector<VariantResult>& results,
                             const std::string& title, const nlohmann::json& settings);

}  // namespace osc::experiment
