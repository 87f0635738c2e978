#include "analysis/activation_outliers.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "analysis/activation_rule.h"
#include "analysis/layer_sweep.h"
#include "analysis/routed_entries.h"
#include "analysis/stats.h"
#include "core/error.h"

namespace osc::analysis {
namespace {


// One input's statistics of one layer.
struct LayerSample {
  double top[3] = {0, 0, 0};
  double median = 0;
  int64_t top_position = 0, top_channel = 0;
  float top_value = 0;
};

// |x| of the counted entries of `m` (every entry when `counted` is empty) and, only when some
// are left out, their flat indices.
void counted_magnitudes(const MatrixRef& m, const CountedEntries& counted, std::vector<float>& magnitudes,
                        std::vector<int64_t>& flat) {
  const int64_t n = m.rows * m.cols;
  if (counted.empty()) {
    magnitudes.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) magnitudes[static_cast<size_t>(i)] = std::fabs(m.data[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    if (counted[static_cast<size_t>(i)]) magnitudes.push_back(std::fabs(m.data[i])), flat.push_back(i);
}

LayerSample sample_layer(const MatrixRef& m, const CountedEntries& counted) {
  LayerSample s;
  std::vector<float> magnitudes;
  std::vector<int64_t> flat;
  counted_magnitudes(m, counted, magnitudes, flat);
  const std::vector<int64_t> top = top_k_indices(magnitudes, 3);
  for (size_t k = 0; k < top.size(); ++k) s.top[k] = magnitudes[static_cast<size_t>(top[k])];
  if (!top.empty()) {
    const int64_t i = flat.empty() ? top[0] : flat[static_cast<size_t>(top[0])];
    s.top_position = i / m.cols;
    s.top_channel = i % m.cols;
    s.top_value = m.data[i];
  }
  s.median = median_of(std::move(magnitudes));
  return s;
}

void collect_outliers(const MatrixRef& m, double median, const CountedEntries& counted, int64_t n_experts,
                      int64_t layer, int64_t input, const ActivationThresholds& t,
                      std::vector<ActivationOutlier>& out) {
  const int64_t expert_width = n_experts > 0 ? m.cols / n_experts : 0;
  for (int64_t i : activation_outlier_entries(m, median, t, counted)) {
    const float v = m.data[i];
    const int64_t channel = i % m.cols;
    out.push_back({static_cast<int32_t>(layer), static_cast<int32_t>(input), static_cast<int32_t>(i / m.cols),
                   static_cast<int32_t>(channel), v, static_cast<int32_t>(expert_width > 0 ? channel / expert_width : -1),
                   median > 0 ? std::fabs(v) / median : INFINITY});
  }
}

// The longest run of consecutive layers in which `channel` is an outlier at one and the same
// token (input, position). `outliers` of one channel only.
int64_t longest_run_at_one_token(std::vector<const ActivationOutlier*> outliers) {
  std::sort(outliers.begin(), outliers.end(), [](const auto* a, const auto* b) {
    return std::tie(a->input, a->position, a->layer) < std::tie(b->input, b->position, b->layer);
  });
  int64_t best = 0, run = 0;
  for (size_t i = 0; i < outliers.size(); ++i) {
    const auto* o = outliers[i];
    const auto* prev = i ? outliers[i - 1] : nullptr;
    const bool continues = prev && prev->input == o->input && prev->position == o->position && prev->layer + 1 == o->layer;
    run = continues ? run + 1 : 1;
    best = std::max(best, run);
  }
  return best;
}

void group_outliers(SiteAnalysis& s) {
  std::map<int64_t, OutlierChannel> channels;
  std::map<int64_t, std::vector<const ActivationOutlier*>> by_channel;
  std::map<std::pair<int64_t, int64_t>, OutlierToken> tokens;
  for (const auto& o : s.outliers) {
    by_channel[o.channel].push_back(&o);
    auto& ch = channels[o.channel];
    ch.channel = o.channel;
    if (ch.layers.empty() || ch.layers.back() != o.layer) ch.layers.push_back(o.layer);
    ch.max_abs = std::max(ch.max_abs, static_cast<double>(std::fabs(o.value)));
    auto& tok = tokens[{o.input, o.position}];
    tok.input = o.input, tok.position = o.position;
    if (tok.layers.empty() || tok.layers.back() != o.layer) tok.layers.push_back(o.layer);
    tok.max_abs = std::max(tok.max_abs, static_cast<double>(std::fabs(o.value)));
  }
  for (auto& [c, ch] : channels) {
    ch.longest_run = longest_run_at_one_token(by_channel[c]);
    std::sort(ch.layers.begin(), ch.layers.end());
    ch.layers.erase(std::unique(ch.layers.begin(), ch.layers.end()), ch.layers.end());
    s.channels.push_back(ch);
  }
  std::stable_sort(s.channels.begin(), s.channels.end(),
                   [](const auto& a, const auto& b) { return a.max_abs > b.max_abs; });
  for (auto& [key, tok] : tokens) {
    std::sort(tok.layers.begin(), tok.layers.end());
    tok.layers.erase(std::unique(tok.layers.begin(), tok.layers.end()), tok.layers.end());
    s.tokens.push_back(tok);
  }
}

// The two channels with the largest per-channel max |x| over all inputs of one layer.
std::pair<int64_t, int64_t> top_two_channels(const std::vector<Capture>& captures, const std::string& hook,
                                             int64_t width) {
  std::vector<float> channel_max(static_cast<size_t>(width), 0.0f);
  for (const auto& c : captures) {
    const MatrixRef m = token_matrix(require_hook(c, hook), hook);
    for (int64_t p = 0; p < m.rows; ++p)
      for (int64_t ch = 0; ch < width; ++ch)
        channel_max[static_cast<size_t>(ch)] = std::max(channel_max[static_cast<size_t>(ch)], std::fabs(m.at(p, ch)));
  }
  const std::vector<int64_t> top = top_k_indices(channel_max, 2);
  return {top.empty() ? -1 : top[0], top.size() < 2 ? -1 : top[1]};
}

// With --act-rule relative and a low k, a 7B model flags ~8% of mlp_post's entries: ~10^8 of them.
void check_outliers_fit(const SiteAnalysis& s, int64_t layer, uint64_t memory_left) {
  const uint64_t need = static_cast<uint64_t>(s.outliers.size()) * kBytesPerOutlier;
  OSC_CHECK_INPUT(need <= memory_left, s.name,
                  std::to_string(s.outliers.size()) + " outlier entries up to layer " + std::to_string(layer) +
                      " need " + gib(need) + ", more than the " + gib(memory_left) +
                      " of memory left; raise --act-k (or use --act-rule gap) or scan fewer windows (--max-windows)");
}

void analyze_layer(SiteAnalysis& s, const std::vector<Capture>& captures, int64_t layer,
                   const ActivationThresholds& t, bool routed, uint64_t memory_left) {
  const std::string hook = hook_name(s.hook_pattern, layer);
  double sums[4] = {0, 0, 0, 0};
  double best = -1;
  size_t before = s.outliers.size();
  std::vector<double> medians;
  for (size_t i = 0; i < captures.size(); ++i) {
    const MatrixRef m = token_matrix(require_hook(captures[i], hook), hook);
    OSC_CHECK_INPUT(m.cols == s.width, hook, "width " + std::to_string(m.cols) + " differs from layer 0's " +
                                                 std::to_string(s.width));
    int64_t n_experts = 0;
    const CountedEntries counted = routed ? routed_entries(captures[i], layer, m, hook, n_experts) : CountedEntries{};
    s.n_experts = std::max(s.n_experts, n_experts);
    const LayerSample sample = sample_layer(m, counted);
    for (int k = 0; k < 3; ++k) sums[k] += sample.top[k];
    sums[3] += sample.median;
    medians.push_back(sample.median);
    if (sample.top[0] > best) {
      best = sample.top[0];
      s.top1_position[static_cast<size_t>(layer)] = sample.top_position;
      s.top1_input[static_cast<size_t>(layer)] = static_cast<int64_t>(i);
    }
    collect_outliers(m, sample.median, counted, n_experts, layer, static_cast<int64_t>(i), t, s.outliers);
    check_outliers_fit(s, layer, memory_left);
  }
  const double n = static_cast<double>(captures.size());
  s.top1.push_back(sums[0] / n), s.top2.push_back(sums[1] / n), s.top3.push_back(sums[2] / n);
  s.median.push_back(sums[3] / n);
  s.median_by_input.push_back(medians);
  const auto [first, second] = top_two_channels(captures, hook, s.width);
  s.top1_channel[static_cast<size_t>(layer)] = first;
  s.top2_channel[static_cast<size_t>(layer)] = second;
  s.n_outliers[static_cast<size_t>(layer)] = static_cast<int64_t>(s.outliers.size() - before);
}

nlohmann::json outliers_json(const SiteAnalysis& s) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < s.outliers.size() && i < kMaxOutliersListed; ++i) {
    const auto& o = s.outliers[i];
    out.push_back({{"layer", o.layer}, {"input", o.input}, {"position", o.position}, {"channel", o.channel},
                   {"value", o.value}, {"ratio_to_median", std::isfinite(o.ratio_to_median) ? o.ratio_to_median : 0.0}});
    if (o.expert >= 0) out.back()["expert"] = o.expert;
  }
  return out;
}

}  // namespace

SiteAnalysis analyze_site(const std::vector<Capture>& captures, const std::string& name,
                          const std::string& hook_pattern, const ActivationThresholds& thresholds, bool routed,
                          uint64_t memory_left) {
  OSC_CHECK_INPUT(!captures.empty(), name, "no input sequences were run");
  SiteAnalysis s;
  s.name = name, s.hook_pattern = hook_pattern;
  s.n_layers = count_layers(captures[0], hook_pattern);
  OSC_CHECK_INPUT(s.n_layers > 0, hook_name(hook_pattern, 0), "hook was not captured");
  s.width = token_matrix(require_hook(captures[0], hook_name(hook_pattern, 0)), hook_pattern).cols;
  const size_t n = static_cast<size_t>(s.n_layers);
  s.top1_channel.assign(n, -1), s.top2_channel.assign(n, -1), s.top1_position.assign(n, -1);
  s.top1_input.assign(n, -1), s.n_outliers.assign(n, 0);
  for (int64_t l = 0; l < s.n_layers; ++l) analyze_layer(s, captures, l, thresholds, routed, memory_left);
  std::stable_sort(s.outliers.begin(), s.outliers.end(),
                   [](const auto& a, const auto& b) { return std::fabs(a.value) > std::fabs(b.value); });
  group_outliers(s);
  return s;
}

int64_t first_outlier_layer(const SiteAnalysis& site) {
  for (int64_t l = 0; l < site.n_layers; ++l)
    if (site.n_outliers[static_cast<size_t>(l)] > 0) return l;
  return -1;
}

TokenClassCounts outlier_token_classes(const SiteAnalysis& site, const std::vector<Capture>& captures) {
  TokenClassCounts counts;
  for (const auto& tok : site.tokens) counts.add(token_class_at(captures[static_cast<size_t>(tok.input)].input, tok.position));
  return counts;
}

nlohmann::json site_to_json(const SiteAnalysis& s, const std::vector<Capture>& captures,
                            const ActivationThresholds& t) {
  nlohmann::json channels = nlohmann::json::array(), tokens = nlohmann::json::array();
  for (const auto& ch : s.channels)
    channels.push_back({{"channel", ch.channel}, {"layers", ch.layers}, {"n_layers", ch.layers.size()},
                        {"max_abs", ch.max_abs}, {"longest_run", ch.longest_run},
                        {"persistent", ch.longest_run >= t.min_layers_persistent}});
  if (s.n_experts > 0)
    for (auto& ch : channels) ch["expert"] = ch["channel"].get<int64_t>() / (s.width / s.n_experts);
  for (const auto& tok : s.tokens) {
    const InputSequence& in = captures[static_cast<size_t>(tok.input)].input;
    tokens.push_back({{"input", tok.input}, {"position", tok.position}, {"piece", piece_at(in, tok.position)},
                      {"class", token_class_name(token_class_at(in, tok.position))},
                      {"layers", tok.layers}, {"max_abs", tok.max_abs}});
  }
  nlohmann::json per_layer = {{"top1", s.top1}, {"top2", s.top2}, {"top3", s.top3}, {"median", s.median},
                              {"top1_channel", s.top1_channel}, {"top2_channel", s.top2_channel},
                              {"top1_position", s.top1_position}, {"top1_input", s.top1_input},
                              {"n_outliers", s.n_outliers}};
  const size_t listed = std::min(s.outliers.size(), kMaxOutliersListed);
  nlohmann::json out = {{"hook", s.hook_pattern}, {"width", s.width},    {"per_layer", per_layer},
                        {"outliers", outliers_json(s)}, {"n_outliers_total", s.outliers.size()},
                        {"outliers_left_out", s.outliers.size() - listed},
                        {"channels", channels}, {"tokens", tokens}};
  if (s.n_experts > 0) {
    out["n_experts"] = s.n_experts;
    out["counted_entries"] = "routed";
  }
  return out;
}

}  // namespace osc::analysis
