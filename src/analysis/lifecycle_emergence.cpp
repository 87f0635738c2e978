// Emergence: which down-projection columns write the outlier channel at the outlier token (a
// mixture's: which column of which expert, routing weight included), and the gate/up rows that
// make those columns' inputs large there (life_emergence.png).
#include <algorithm>
#include <cmath>

#include "analysis/down_terms.h"
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

// The gate/up rows behind one down term: a dense MLP's (gated: hook_pre = gate, hook_pre_linear =
// up; plain: hook_pre = up = fc1), or the term's expert's (mlp.experts.{e}.*).
nlohmann::json gate_up_entry(const Capture& c, const LayerWeights& weights, const OutlierSite& site, const DownTerm& term) {
  const std::string prefix = term.expert < 0 ? "" : expert_module(term.expert, "");
  const TensorView* gate = find_module(weights, site.layer, prefix + "gate");
  const TensorView* up = find_module(weights, site.layer, prefix + "up");
  auto mlp_hook = [&](HookPoint dense, HookPoint expert) {
    return term.expert < 0 ? osc::hook_name(site.layer, dense) : osc::hook_name(site.layer, term.expert, expert);
  };
  const std::string gate_hook = gate ? mlp_hook(HookPoint::MlpPre, HookPoint::ExpertPre) : "";
  const std::string up_hook = gate ? mlp_hook(HookPoint::MlpPreLinear, HookPoint::ExpertPreLinear)
                                   : mlp_hook(HookPoint::MlpPre, HookPoint::ExpertPre);
  const int64_t column = term.column;
  nlohmann::json j = {{"column", column}};
  if (term.expert >= 0) j["expert"] = term.expert;
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

// |W| around the top term's column of its down matrix, and the gate/up rows feeding it.
nlohmann::json landscapes_of(const LayerWeights& weights, int64_t layer, const DownTerm& top) {
  const std::string prefix = top.expert < 0 ? "" : expert_module(top.expert, "");
  nlohmann::json landscapes = nlohmann::json::object();
  for (const char* kind : {"down", "gate", "up"})
    if (const TensorView* w = find_module(weights, layer, prefix + kind))
      landscapes[kind] = weight_landscape(*w, layer, prefix + kind, top.column, std::string(kind) != "down");
  return landscapes;
}

}  // namespace

nlohmann::json emergence_json(const OutlierSite& site, const Capture& capture, const LayerWeights& weights) {
  const int64_t layer = site.layer;
  nlohmann::json j = {{"layer", layer}, {"input", site.input}, {"channels", site.channels},
                      {"positions", site.positions}, {"pieces", pieces_at(capture, site.positions)},
                      {"main_channel", site.main_channel}, {"main_position", site.main_position}};
  const std::string post_hook = hook_name(kMlpPost, layer);
  const std::vector<DownTerm> terms = down_terms(capture, weights, layer, site.main_position, site.main_channel);
  std::vector<int64_t> top_channels;  // of mlp.hook_post
  if (!terms.empty()) {
    const double total = sum_of_contributions(terms);
    const int64_t width = expert_width(capture, layer);
    const std::vector<DownTerm> top = largest_terms(terms, kTopColumns);
    nlohmann::json columns = nlohmann::json::array(), gate_up = nlohmann::json::array();
    for (const DownTerm& t : top) {
      columns.push_back(down_term_json(t, total != 0.0 ? t.contribution / total : 0.0, width));
      gate_up.push_back(gate_up_entry(capture, weights, site, t));
      top_channels.push_back(post_channel(t, width));
    }
    j["down_columns"] = columns;
    j["gate_up"] = gate_up;
    j["weight_landscapes"] = landscapes_of(weights, layer, top.front());
  }
  std::vector<int64_t> positions;
  const std::string resid_hook = hook_name(kResidPost, layer);
  const int64_t n_tokens = token_matrix(require_hook(capture, resid_hook), resid_hook).rows;
  for (int64_t p = 0; p < std::min(n_tokens, kMaxPositions); ++p) positions.push_back(p);
  std::vector<int64_t> channels(site.channels.begin(), site.channels.begin() + std::min(site.channels.size(), kShownChannels));
  j["values"] = {{"positions", positions},
                 {"pieces", pieces_at(capture, positions)},
                 {"mlp_post", signed_values(capture, post_hook, positions, top_channels)},
                 {"mlp_out", signed_values(capture, osc::hook_name(layer, HookPoint::MlpOut), positions, channels)},
                 {"resid_post", signed_values(capture, hook_name(kResidPost, layer), positions, channels)}};
  return j;
}

}  // namespace osc::analysis
