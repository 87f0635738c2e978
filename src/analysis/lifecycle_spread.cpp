// Spread: at the layer after emergence, how the outlier tokens differ in q/k/v (norms per
// position, for one head) and how much attention the other tokens give them (life_spread.png).
#include <algorithm>
#include <cmath>

#include "analysis/lifecycle.h"
#include "core/error.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {
namespace {

constexpr int64_t kMaxPositions = 64;

bool contains(const std::vector<int64_t>& v, int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Mean over queries q >= 1 of the attention head h gives to the outlier positions k <= q.
double attention_on(const PatternRef& p, int64_t head, const std::vector<int64_t>& positions) {
  double sum = 0.0;
  for (int64_t q = 1; q < p.queries; ++q)
    for (int64_t k : positions)
      if (k <= q) sum += p.at(head, q, k);
  return p.queries > 1 ? sum / static_cast<double>(p.queries - 1) : 0.0;
}

std::vector<double> norms(const HeadsRef& x, int64_t head) {
  std::vector<double> out;
  for (int64_t t = 0; t < x.tokens; ++t) {
    double s = 0.0;
    const float* v = x.at(t, head);
    for (int64_t i = 0; i < x.d_head; ++i) s += static_cast<double>(v[i]) * v[i];
    out.push_back(std::sqrt(s));
  }
  return out;
}

// Mean of values over the outlier positions and over the others.
std::pair<double, double> split_means(const std::vector<double>& values, const std::vector<int64_t>& positions) {
  double in = 0, out = 0;
  int64_t n_in = 0, n_out = 0;
  for (size_t t = 0; t < values.size(); ++t) {
    if (contains(positions, static_cast<int64_t>(t))) in += values[t], ++n_in;
    else out += values[t], ++n_out;
  }
  return {n_in ? in / static_cast<double>(n_in) : 0.0, n_out ? out / static_cast<double>(n_out) : 0.0};
}

nlohmann::json head_matrix(const PatternRef& p, int64_t head) {
  const int64_t n = std::min(p.queries, kMaxPositions);
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t q = 0; q < n; ++q) {
    nlohmann::json row = nlohmann::json::array();
    for (int64_t k = 0; k < n; ++k) {
      const float v = p.at(head, q, k);
      row.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());  // masked scores are -inf
    }
    rows.push_back(row);
  }
  return rows;
}

void add_norms(nlohmann::json& j, const std::string& key, const std::vector<double>& values,
               const std::vector<int64_t>& positions) {
  const auto [in, out] = split_means(values, positions);
  j[key + "_norm"] = values;
  j[key + "_norm_outlier_mean"] = in;
  j[key + "_norm_other_mean"] = out;
}

}  // namespace

nlohmann::json spread_json(const OutlierSite& site, const Capture& capture, int64_t layer, int64_t head) {
  const std::string pattern_hook = osc::hook_name(layer, HookPoint::Pattern);
  const PatternRef pattern = pattern_tensor(require_hook(capture, pattern_hook), pattern_hook);
  if (head < 0) {
    double best = -1.0;
    for (int64_t h = 0; h < pattern.heads; ++h) {
      const double a = attention_on(pattern, h, site.positions);
      if (a > best) best = a, head = h;
    }
  }
  OSC_CHECK_INPUT(head >= 0 && head < pattern.heads, pattern_hook, "head " + std::to_string(head) + " out of range");
  nlohmann::json j = {{"layer", layer}, {"input", site.input}, {"head", head}, {"outlier_positions", site.positions}};
  const HeadsRef q = heads_tensor(require_hook(capture, osc::hook_name(layer, HookPoint::Q)), "hook_q");
  const HeadsRef k = heads_tensor(require_hook(capture, osc::hook_name(layer, HookPoint::K)), "hook_k");
  const HeadsRef v = heads_tensor(require_hook(capture, osc::hook_name(layer, HookPoint::V)), "hook_v");
  OSC_CHECK_INPUT(k.heads > 0 && q.heads % k.heads == 0, "hook_k", "query heads are not a multiple of key heads");
  const int64_t kv_head = head / (q.heads / k.heads);  // grouped-query attention shares k/v heads
  add_norms(j, "q", norms(q, head), site.positions);
  add_norms(j, "k", norms(k, kv_head), site.positions);
  add_norms(j, "v", norms(v, kv_head), site.positions);
  j["kv_head"] = kv_head;
  const std::string scores_hook = osc::hook_name(layer, HookPoint::AttnScores);
  if (const Tensor* scores = find_hook(capture, scores_hook))
    j["attn_logits"] = head_matrix(pattern_tensor(*scores, scores_hook), head);
  j["attn_probs"] = head_matrix(pattern, head);
  j["prob_to_outliers_mean"] = attention_on(pattern, head, site.positions);
  std::vector<std::string> pieces(capture.input.pieces.begin(),
                                  capture.input.pieces.begin() +
                                      std::min<int64_t>(static_cast<int64_t>(capture.input.pieces.size()), kMaxPositions));
  j["pieces"] = pieces;
  return j;
}

}  // namespace osc::analysis
