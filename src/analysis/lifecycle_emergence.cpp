// Emergence: which down-projection columns write the outlier channel at the outlier token, and
// the gate/up rows that make those columns' inputs large there (life_emergence.png).
#include <algorithm>
#include <cmath>

#include "analysis/lifecycle.h"
#include "analysis/weight_landscape.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {
namespace {

constexpr size_t kTopColumns = 3;
constexpr size_t kShownChannels = 4;
constexpr int64_t kMaxPositions = 64;

std::vector<std::string> pieces_at(const Capture& c, const std::vector<int64_t>& positions) {
  std::vector<std::string> out;
  for (int64_t p : positions)
    out.push_back(p < static_cast<int64_t>(c.input.pieces.size()) ? c.input.pieces[static_cast<size_t>(p)] : "");
  return out;
}

// Mean |x[p, column]| over the positions that are not outlier positions (0 if there are none).
double others_mean_abs(const MatrixRef& m, int64_t column, const std::vector<int64_t>& outlier_positions) {
  double sum = 0.0;
  int64_t n = 0;
  for (int64_t p = 0; p < m.rows; ++p) {
    if (std::find(outlier_positions.begin(), outlier_positions.end(), p) != outlier_positions.end()) continue;
    sum += std::fabs(m.at(p, column));
    ++n;
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

// max |W[row, :]| / (mean |W[row, :]| + 1e-8), the weight-outlier ratio of one row.
double row_ratio(const TensorView& w, int64_t row) {
  std::vector<float> values(static_cast<size_t>(w.row_length()));
  w.row_to_f32(row, values.data());
  double max = 0.0, sum = 0.0;
  for (float v : values) max = std::max(max, static_cast<double>(std::fabs(v))), sum += std::fabs(v);
  return max / (sum / static_cast<double>(values.size()) + 1e-8);
}

nlohmann::json signed_values(const Capture& c, const std::string& hook, const std::vector<int64_t>& positions,
                             const std::vector<int64_t>& channels) {
  const Tensor* t = find_hook(c, hook);
  if (!t) return nullptr;
  const MatrixRef m = token_matrix(*t, hook);
  std::vector<std::vector<float>> values;
  for (int64_t p : positions) {
    std::vector<float> row;
    for (int64_t ch : channels) row.push_back(m.at(p, ch));
    values.push_back(row);
  }
  return {{"hook", hook}, {"channels", channels}, {"values", values}};
}

nlohmann::json gate_up_entry(const Capture& c, const LayerWeights& weights, const OutlierSite& site, int64_t column) {
  const TensorView* gate = find_module(weights, site.layer, "gate");
  const TensorView* up = find_module(weights, site.layer, "up");
  // Gated MLPs: hook_pre = gate, hook_pre_linear = up. Plain MLPs: hook_pre = up (fc1).
  const std::string gate_hook = gate ? osc::hook_name(site.layer, HookPoint::MlpPre) : "";
  const std::string up_hook = osc::hook_name(site.layer, gate ? HookPoint::MlpPreLinear : HookPoint::MlpPre);
  nlohmann::json j = {{"column", column}};
  auto add = [&](const std::string& key, const std::string& hook, const TensorView* w) {
    const Tensor* t = hook.empty() ? nullptr : find_hook(c, hook);
    if (t) {
      const MatrixRef m = token_matrix(*t, hook);
      j[key + "_pre"] = m.at(site.main_position, column);
      j[key + "_pre_others_mean_abs"] = others_mean_abs(m, column, site.positions);
    }
    if (w) j[key + "_row_max_ratio"] = row_ratio(*w, column);
  };
  add("gate", gate_hook, gate);
  add("up", up_hook, up);
  return j;
}

}  // namespace

nlohmann::json emergence_json(const OutlierSite& site, const Capture& capture, const LayerWeights& weights) {
  const int64_t layer = site.layer;
  nlohmann::json j = {{"layer", layer}, {"input", site.input}, {"channels", site.channels},
                      {"positions", site.positions}, {"pieces", pieces_at(capture, site.positions)},
                      {"main_channel", site.main_channel}, {"main_position", site.main_position}};
  const std::string post_hook = hook_name(kMlpPost, layer);
  const Tensor* post = find_hook(capture, post_hook);
  const TensorView* down = find_module(weights, layer, "down");
  std::vector<int64_t> top_columns;
  if (post && down) {
    const MatrixRef m = token_matrix(*post, post_hook);
    nlohmann::json columns = nlohmann::json::array(), gate_up = nlohmann::json::array();
    for (const auto& cc : column_contributions(*down, m.row(site.main_position), site.main_channel, kTopColumns)) {
      columns.push_back({{"column", cc.column}, {"contribution", cc.contribution}, {"share", cc.share},
                         {"activation", cc.activation}, {"weight", cc.weight}});
      gate_up.push_back(gate_up_entry(capture, weights, site, cc.column));
      top_columns.push_back(cc.column);
    }
    j["down_columns"] = columns;
    j["gate_up"] = gate_up;
    nlohmann::json landscapes = {{"down", weight_landscape(*down, layer, "down", top_columns.front(), false)}};
    for (const char* module : {"gate", "up"})
      if (const TensorView* w = find_module(weights, layer, module))
        landscapes[module] = weight_landscape(*w, layer, module, top_columns.front(), true);
    j["weight_landscapes"] = landscapes;
  }
  std::vector<int64_t> positions;
  const std::string resid_hook = hook_name(kResidPost, layer);
  const int64_t n_tokens = token_matrix(require_hook(capture, resid_hook), resid_hook).rows;
  for (int64_t p = 0; p < std::min(n_tokens, kMaxPositions); ++p) positions.push_back(p);
  std::vector<int64_t> channels(site.channels.begin(), site.channels.begin() + std::min(site.channels.size(), kShownChannels));
  j["values"] = {{"positions", positions},
                 {"pieces", pieces_at(capture, positions)},
                 {"mlp_post", signed_values(capture, post_hook, positions, top_columns)},
                 {"mlp_out", signed_values(capture, osc::hook_name(layer, HookPoint::MlpOut), positions, channels)},
                 {"resid_post", signed_values(capture, hook_name(kResidPost, layer), positions, channels)}};
  return j;
}

}  // namespace osc::analysis
