#include "analysis/attention_outliers.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/stats.h"
#include "core/error.h"

namespace osc::analysis {
namespace {

constexpr int64_t kMaxHeatmapKeys = 256;

PatternRef layer_pattern(const Capture& c, int64_t layer) {
  const std::string hook = hook_name(kPattern, layer);
  return pattern_tensor(require_hook(c, hook), hook);
}

std::vector<float> to_float(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// Outlier keys of one input at one layer.
std::vector<AttentionKeyOutlier> detect_keys(const PatternRef& p, int64_t layer, int64_t input,
                                             const AttentionThresholds& t) {
  const std::vector<double> mean = received_attention(p, -1);
  std::vector<std::vector<double>> per_head;
  for (int64_t h = 0; h < p.heads; ++h) per_head.push_back(received_attention(p, h));
  std::vector<AttentionKeyOutlier> out;
  for (int64_t k = 0; k < p.keys; ++k) {
    const double threshold = attention_threshold(k, p.keys, t);
    if (mean[static_cast<size_t>(k)] < threshold) continue;
    AttentionKeyOutlier o{layer, input, k, mean[static_cast<size_t>(k)], threshold, {}};
    for (int64_t h = 0; h < p.heads; ++h)
      if (per_head[static_cast<size_t>(h)][static_cast<size_t>(k)] >= threshold) o.heads.push_back(h);
    out.push_back(o);
  }
  return out;
}

// Share of head h's attention (all queries) that lands on `keys`.
double share_on_keys(const PatternRef& p, int64_t head, const std::vector<int64_t>& keys) {
  const std::vector<double> received = received_attention(p, head);
  double on_keys = 0.0;
  for (int64_t k : keys) on_keys += received[static_cast<size_t>(k)];
  return p.queries > 0 ? on_keys / static_cast<double>(p.queries) : 0.0;
}

void per_layer_curves(AttentionAnalysis& a, const std::vector<Capture>& captures) {
  const double n_inputs = static_cast<double>(captures.size());
  for (int64_t l = 0; l < a.n_layers; ++l) {
    double top1 = 0, top2 = 0, median = 0, first = 0;
    for (size_t i = 0; i < captures.size(); ++i) {
      const PatternRef p = layer_pattern(captures[i], l);
      const std::vector<double> received = received_attention(p, -1);
      const std::vector<int64_t> top = top_k_indices(to_float(received), 2);
      top1 += received[static_cast<size_t>(top[0])];
      top2 += top.size() > 1 ? received[static_cast<size_t>(top[1])] : 0.0;
      median += median_of(to_float(received));
      first += received[0] / static_cast<double>(p.queries);
      if (i == 0) a.top1_position.push_back(top[0]);
    }
    a.top1.push_back(top1 / n_inputs), a.top2.push_back(top2 / n_inputs);
    a.median.push_back(median / n_inputs), a.first_token_share.push_back(first / n_inputs);
  }
}

void sink_shares(AttentionAnalysis& a, const std::vector<Capture>& captures) {
  a.sink_share_by_head.assign(static_cast<size_t>(a.n_layers), std::vector<double>(static_cast<size_t>(a.n_heads), 0.0));
  for (size_t i = 0; i < captures.size(); ++i)
    for (int64_t l = 0; l < a.n_layers; ++l) {
      const PatternRef p = layer_pattern(captures[i], l);
      for (int64_t h = 0; h < a.n_heads; ++h)
        a.sink_share_by_head[static_cast<size_t>(l)][static_cast<size_t>(h)] +=
            share_on_keys(p, h, a.sink_positions[i]) / static_cast<double>(captures.size());
    }
}

nlohmann::json received_heatmap(const Capture& c, int64_t n_layers) {
  nlohmann::json by_layer = nlohmann::json::array(), head_mean = nlohmann::json::array();
  int64_t keys = 0;
  for (int64_t l = 0; l < n_layers; ++l) {
    const PatternRef p = layer_pattern(c, l);
    keys = std::min(p.keys, kMaxHeatmapKeys);
    nlohmann::json heads = nlohmann::json::array();
    for (int64_t h = 0; h < p.heads; ++h) {
      std::vector<double> r = received_attention(p, h);
      heads.push_back(std::vector<double>(r.begin(), r.begin() + keys));
    }
    std::vector<double> m = received_attention(p, -1);
    by_layer.push_back(heads);
    head_mean.push_back(std::vector<double>(m.begin(), m.begin() + keys));
  }
  std::vector<std::string> pieces(c.input.pieces.begin(),
                                  c.input.pieces.begin() + std::min<int64_t>(keys, static_cast<int64_t>(c.input.pieces.size())));
  return {{"input", 0}, {"pieces", pieces}, {"by_layer_head_key", by_layer}, {"head_mean", head_mean}};
}

nlohmann::json head_mean_pattern(const Capture& c, int64_t layer) {
  const PatternRef p = layer_pattern(c, layer);
  const int64_t n = std::min(p.queries, kMaxHeatmapKeys);
  std::vector<std::vector<double>> m(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(n), 0.0));
  for (int64_t h = 0; h < p.heads; ++h)
    for (int64_t q = 0; q < n; ++q)
      for (int64_t k = 0; k < n; ++k)
        m[static_cast<size_t>(q)][static_cast<size_t>(k)] += p.at(h, q, k) / static_cast<double>(p.heads);
  std::vector<std::string> pieces(c.input.pieces.begin(),
                                  c.input.pieces.begin() + std::min<int64_t>(n, static_cast<int64_t>(c.input.pieces.size())));
  return {{"layer", layer}, {"input", 0}, {"pieces", pieces}, {"head_mean", m}};
}

}  // namespace

std::vector<double> received_attention(const PatternRef& p, int64_t head) {
  std::vector<double> received(static_cast<size_t>(p.keys), 0.0);
  const int64_t first = head < 0 ? 0 : head, last = head < 0 ? p.heads : head + 1;
  const double scale = head < 0 ? 1.0 / static_cast<double>(p.heads) : 1.0;
  for (int64_t h = first; h < last; ++h)
    for (int64_t q = 0; q < p.queries; ++q)
      for (int64_t k = 0; k < p.keys; ++k) received[static_cast<size_t>(k)] += scale * p.at(h, q, k);
  return received;
}

double uniform_received(int64_t key, int64_t n) {
  double sum = 0.0;
  for (int64_t q = key; q < n; ++q) sum += 1.0 / static_cast<double>(q + 1);
  return sum;
}

double attention_threshold(int64_t key, int64_t n, const AttentionThresholds& t) {
  return std::max(t.fraction_of_length * static_cast<double>(n), t.uniform_multiple * uniform_received(key, n));
}

AttentionAnalysis analyze_attention(const std::vector<Capture>& captures, const AttentionThresholds& thresholds,
                                    int64_t pattern_layer) {
  OSC_CHECK_INPUT(!captures.empty(), "attention", "no input sequences were run");
  AttentionAnalysis a;
  a.n_layers = count_layers(captures[0], kPattern);
  OSC_CHECK_INPUT(a.n_layers > 0, hook_name(kPattern, 0), "hook was not captured");
  a.n_heads = layer_pattern(captures[0], 0).heads;
  a.sink_positions.resize(captures.size());
  for (size_t i = 0; i < captures.size(); ++i) {
    std::set<int64_t> positions;
    for (int64_t l = 0; l < a.n_layers; ++l) {
      const PatternRef p = layer_pattern(captures[i], l);
      OSC_CHECK_INPUT(p.heads == a.n_heads, hook_name(kPattern, l), "head count differs from layer 0");
      for (auto& o : detect_keys(p, l, static_cast<int64_t>(i), thresholds)) {
        positions.insert(o.position);
        a.outliers.push_back(std::move(o));
      }
    }
    a.sink_positions[i].assign(positions.begin(), positions.end());
    for (int64_t pos : positions) a.token_classes.add(token_class_at(captures[i].input, pos));
  }
  per_layer_curves(a, captures);
  sink_shares(a, captures);
  a.received = received_heatmap(captures[0], a.n_layers);
  a.pattern = head_mean_pattern(captures[0], std::clamp<int64_t>(pattern_layer, 0, a.n_layers - 1));
  return a;
}

nlohmann::json attention_to_json(const AttentionAnalysis& a, const std::vector<Capture>& captures) {
  nlohmann::json outliers = nlohmann::json::array();
  std::map<std::pair<int64_t, int64_t>, int64_t> head_keys;  // (layer, head) -> outlier keys it attends
  for (const auto& o : a.outliers) {
    const InputSequence& in = captures[static_cast<size_t>(o.input)].input;
    outliers.push_back({{"layer", o.layer}, {"input", o.input}, {"position", o.position}, {"piece", piece_at(in, o.position)},
                        {"class", token_class_name(token_class_at(in, o.position))},
                        {"received", o.received}, {"threshold", o.threshold}, {"heads", o.heads}});
    for (int64_t h : o.heads) ++head_keys[{o.layer, h}];
  }
  nlohmann::json heads = nlohmann::json::array();
  for (const auto& [key, n] : head_keys) heads.push_back({{"layer", key.first}, {"head", key.second}, {"n_keys", n}});
  nlohmann::json per_layer = {{"top1", a.top1}, {"top2", a.top2}, {"median", a.median},
                              {"top1_position", a.top1_position}, {"first_token_share", a.first_token_share}};
  return {{"n_layers", a.n_layers},  {"n_heads", a.n_heads},
          {"per_layer", per_layer},  {"received", a.received},
          {"sink_share_by_head", a.sink_share_by_head}, {"outliers", outliers},
          {"heads_affected", heads}, {"token_classes", token_class_counts_to_json(a.token_classes)},
          {"sink_positions", a.sink_positions}, {"pattern", a.pattern}};
}

}  // namespace osc::analysis
