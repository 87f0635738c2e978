#include "analysis/weight_outliers.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "analysis/stats.h"
#include "analysis/weight_landscape.h"
#include "core/error.h"
#include "core/progress.h"

namespace osc::analysis {
namespace {

constexpr double kEpsilon = 1e-8;  // as in the paper's code: max / (mean + 1e-8)
constexpr int64_t kBlockRows = 64;
constexpr int64_t kTopCount = 3;
const std::vector<std::string> kCanonicalModules = {"q", "k", "v", "qkv", "o", "gate", "up", "down"};

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
    const ModuleSummary* down = layer.find("down");
    max_ratio.push_back(down ? nlohmann::json(down->max_col_ratio) : nlohmann::json());
    median.push_back(down ? nlohmann::json(down->median_col_ratio) : nlohmann::json());
    nlohmann::json cols = nlohmann::json::array(), ratios = nlohmann::json::array();
    if (down)
      for (const auto& e : down->top_columns) cols.push_back(e.index), ratios.push_back(e.value);
    top_columns.push_back(cols);
    top_ratios.push_back(ratios);
  }
  return {{"max_col_ratio", max_ratio}, {"median_col_ratio", median},
          {"top3_columns", top_columns}, {"top3_ratios", top_ratios}};
}

// The paper's "ratio across modules": max_ratio per module and layer, plus their mean.
nlohmann::json module_curves(const WeightAnalysis& a) {
  nlohmann::json curves = nlohmann::json::object();
  std::vector<double> sum(a.layers.size(), 0.0);
  std::vector<int> count(a.layers.size(), 0);
  for (const auto& module : a.modules) {
    nlohmann::json curve = nlohmann::json::array();
    for (size_t l = 0; l < a.layers.size(); ++l) {
      const ModuleSummary* m = a.layers[l].find(module);
      curve.push_back(m ? nlohmann::json(m->max_ratio) : nlohmann::json());
      if (m) sum[l] += m->max_ratio, ++count[l];
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
      for (const auto& e : m.outlier_columns)
        out.push_back({{"layer", l}, {"module", name}, {"axis", "column"}, {"index", e.index}, {"ratio", e.value}});
  return out;
}

}  // namespace

MatrixRatios matrix_ratios(const TensorView& w, const std::string& where) {
  OSC_CHECK_INPUT(w.rank() == 2 && w.rows() > 0 && w.row_length() > 0, where,
                  "expected a non-empty 2-D weight, got " + shape_to_string(w.shape));
  const int64_t rows = w.rows(), cols = w.row_length();
  MatrixRatios r{w.shape, std::vector<float>(static_cast<size_t>(cols)), std::vector<float>(static_cast<size_t>(rows))};
  std::vector<double> col_sum(static_cast<size_t>(cols), 0.0);
  std::vector<float> col_max(static_cast<size_t>(cols), 0.0f);
  std::vector<float> block(static_cast<size_t>(kBlockRows * cols));  // [block rows, in]
  for (int64_t first = 0; first < rows; first += kBlockRows) {
    const int64_t count = std::min(kBlockRows, rows - first);
    w.rows_to_f32(first, count, block.data());
    for (int64_t i = 0; i < count; ++i) {
      const float* row = block.data() + i * cols;
      double row_sum = 0.0;
      float row_max = 0.0f;
      for (int64_t j = 0; j < cols; ++j) {
        if (!std::isfinite(row[j]))  // NaN would drop out of every max and hide the column
          throw_bad_input(where, "non-finite weight (" + std::to_string(row[j]) + ") at row " +
                                     std::to_string(first + i) + ", column " + std::to_string(j));
        const float a = std::fabs(row[j]);
        row_sum += a;
        row_max = std::max(row_max, a);
        col_sum[static_cast<size_t>(j)] += a;
        col_max[static_cast<size_t>(j)] = std::max(col_max[static_cast<size_t>(j)], a);
      }
      r.row_ratio[static_cast<size_t>(first + i)] = static_cast<float>(row_max / (row_sum / cols + kEpsilon));
    }
  }
  for (int64_t j = 0; j < cols; ++j)
    r.col_ratio[static_cast<size_t>(j)] =
        static_cast<float>(col_max[static_cast<size_t>(j)] / (col_sum[static_cast<size_t>(j)] / rows + kEpsilon));
  return r;
}

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

WeightAnalysis analyze_weights(const std::vector<std::vector<LinearWeight>>& layers,
                               const WeightThresholds& thresholds, bool quiet) {
  WeightAnalysis a;
  Progress progress("weights", static_cast<int64_t>(layers.size()), "layers", quiet);
  std::vector<bool> seen(kCanonicalModules.size(), false);
  for (size_t l = 0; l < layers.size(); ++l) {
    LayerWeightSummary summary;
    for (const auto& lw : layers[l]) {
      const std::string where = "layer " + std::to_string(l) + " " + lw.module + " weight";
      summary.modules.emplace_back(lw.module, summarize_module(matrix_ratios(lw.view, where), thresholds));
      auto it = std::find(kCanonicalModules.begin(), kCanonicalModules.end(), lw.module);
      if (it != kCanonicalModules.end()) seen[static_cast<size_t>(it - kCanonicalModules.begin())] = true;
    }
    a.layers.push_back(std::move(summary));
    progress.update(static_cast<int64_t>(l + 1));
  }
  progress.finish();
  for (size_t i = 0; i < kCanonicalModules.size(); ++i)
    if (seen[i]) a.modules.push_back(kCanonicalModules[i]);

  const auto [layer, column] = strongest_down_column(a);
  if (layer >= 0)
    for (const auto& lw : layers[static_cast<size_t>(layer)])
      if (lw.module == "down") a.landscape = weight_landscape(lw.view, layer, "down", column, false);
  return a;
}

std::pair<int64_t, int64_t> strongest_down_column(const WeightAnalysis& analysis) {
  std::pair<int64_t, int64_t> best{-1, -1};
  double best_ratio = -1.0;
  for (size_t l = 0; l < analysis.layers.size(); ++l) {
    const ModuleSummary* down = analysis.layers[l].find("down");
    if (!down || down->top_columns.empty() || down->top_columns[0].value <= best_ratio) continue;
    best_ratio = down->top_columns[0].value;
    best = {static_cast<int64_t>(l), down->top_columns[0].index};
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
