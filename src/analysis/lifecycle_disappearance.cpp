// Disappearance: the layer where the outlier entries (emergence channels at the outlier tokens)
// fall below collapse_fraction x their peak, and what writes the opposite sign there: the MLP
// (which down columns) or attention (which o-projection columns) (life_disappearance.png).
#include <cmath>

#include "analysis/down_terms.h"
#include "analysis/lifecycle.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {
namespace {

constexpr size_t kTopColumns = 3;

struct Entry {
  double magnitude = 0;
  int64_t position = 0, channel = 0;
};

// The largest |resid_post| over the site's positions x channels at one layer.
Entry largest_entry(const Capture& c, const OutlierSite& site, int64_t layer) {
  const std::string hook = hook_name(kResidPost, layer);
  const MatrixRef m = token_matrix(require_hook(c, hook), hook);
  Entry best;
  for (int64_t p : site.positions)
    for (int64_t ch : site.channels)
      if (std::fabs(m.at(p, ch)) >= best.magnitude) best = {std::fabs(m.at(p, ch)), p, ch};
  return best;
}

nlohmann::json contributions_json(const std::vector<ColumnContribution>& cs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : cs)
    out.push_back({{"column", c.column}, {"contribution", c.contribution}, {"share", c.share},
                   {"activation", c.activation}, {"weight", c.weight}});
  return out;
}

float hook_value(const Capture& c, const std::string& pattern, int64_t layer, int64_t p, int64_t ch) {
  const std::string hook = hook_name(pattern, layer);
  const Tensor* t = find_hook(c, hook);
  return t ? token_matrix(*t, hook).at(p, ch) : NAN;
}

nlohmann::json cancel_by(const Capture& c, const LayerWeights& weights, int64_t layer, const Entry& e) {
  nlohmann::json j;
  const float mlp_out = hook_value(c, hook_pattern(HookPoint::MlpOut), layer, e.position, e.channel);
  const float attn_out = hook_value(c, hook_pattern(HookPoint::AttnOut), layer, e.position, e.channel);
  j["mlp_out"] = std::isfinite(mlp_out) ? nlohmann::json(mlp_out) : nlohmann::json();
  j["attn_out"] = std::isfinite(attn_out) ? nlohmann::json(attn_out) : nlohmann::json();
  if (const std::vector<DownTerm> terms = down_terms(c, weights, layer, e.position, e.channel); !terms.empty()) {
    const double total = sum_of_contributions(terms);
    const int64_t width = expert_width(c, layer);
    j["down_columns"] = nlohmann::json::array();
    for (const DownTerm& t : largest_terms(terms, kTopColumns))
      j["down_columns"].push_back(down_term_json(t, total != 0.0 ? t.contribution / total : 0.0, width));
  }
  const std::string z_hook = osc::hook_name(layer, HookPoint::Z);
  const TensorView* o = find_module(weights, layer, "o");
  if (const Tensor* z = find_hook(c, z_hook); z && o) {
    const HeadsRef zh = heads_tensor(*z, z_hook);  // [T, H, d_head] = [T, H*d_head] rows
    j["o_columns"] = contributions_json(column_contributions(*o, zh.at(e.position, 0), e.channel, kTopColumns));
  }
  return j;
}

}  // namespace

nlohmann::json disappearance_json(const OutlierSite& site, const Capture& capture, const LayerWeights& weights,
                                  const ActivationThresholds& thresholds) {
  const int64_t n_layers = count_layers(capture, kResidPost);
  std::vector<Entry> entries;
  std::vector<double> magnitudes;
  int64_t peak_layer = site.layer;
  for (int64_t l = site.layer; l < n_layers; ++l) {
    entries.push_back(largest_entry(capture, site, l));
    magnitudes.push_back(entries.back().magnitude);
    if (entries.back().magnitude > entries[static_cast<size_t>(peak_layer - site.layer)].magnitude) peak_layer = l;
  }
  const double peak = entries[static_cast<size_t>(peak_layer - site.layer)].magnitude;
  nlohmann::json j = {{"from_layer", site.layer}, {"magnitudes", magnitudes}, {"peak", peak},
                      {"peak_layer", peak_layer}, {"layer", nullptr}};
  for (int64_t l = peak_layer + 1; l < n_layers; ++l) {
    const Entry& now = entries[static_cast<size_t>(l - site.layer)];
    if (now.magnitude >= thresholds.collapse_fraction * peak) continue;
    const Entry& before = entries[static_cast<size_t>(l - 1 - site.layer)];
    j["layer"] = l;
    j["before"] = before.magnitude;
    j["after"] = now.magnitude;
    j["position"] = before.position;
    j["channel"] = before.channel;
    j["cancel_by"] = cancel_by(capture, weights, l, before);
    break;
  }
  return j;
}

}  // namespace osc::analysis
