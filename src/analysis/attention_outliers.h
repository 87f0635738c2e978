// Attention outliers (An et al. pos_attention_outliers): the attention a key receives is the sum
// over queries of the pattern P[h, q, k]. A key is an outlier when the head-averaged received
// attention is >= fraction x sequence length (the paper's 0.1) and >= multiple x what it would
// receive under uniform causal attention (so that short prompts do not flag key 0 by default).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/capture.h"
#include "analysis/thresholds.h"
#include "analysis/token_classes.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {

inline const std::string kPattern = hook_pattern(HookPoint::Pattern);  // "blocks.{L}.attn.hook_pattern"
inline const std::string kAttnScores = hook_pattern(HookPoint::AttnScores);

// Column sums of P for one head ([keys]); head = -1 averages over heads first.
std::vector<double> received_attention(const PatternRef& p, int64_t head);
// sum_{q = key}^{n-1} 1 / (q + 1): what `key` receives when every query attends uniformly.
double uniform_received(int64_t key, int64_t n);
double attention_threshold(int64_t key, int64_t n, const AttentionThresholds& t);

struct AttentionKeyOutlier {
  int64_t layer = 0, input = 0, position = 0;
  double received = 0, threshold = 0;
  std::vector<int64_t> heads;  // heads whose own received attention passes the threshold
};

struct AttentionAnalysis {
  int64_t n_layers = 0, n_heads = 0;
  std::vector<double> top1, top2, median, first_token_share;  // per layer, means over inputs
  std::vector<int64_t> top1_position;                          // per layer, input 0
  std::vector<std::vector<double>> sink_share_by_head;         // [layer][head], mean over inputs
  std::vector<AttentionKeyOutlier> outliers;
  TokenClassCounts token_classes;                              // one count per (input, position)
  std::vector<std::vector<int64_t>> sink_positions;            // [input] union over layers
  nlohmann::json received;                                     // input 0 heat-map data
  nlohmann::json pattern;                                      // head-mean pattern at pattern_layer
};

// pattern_layer: the layer whose head-averaged pattern of input 0 is kept for the attention-map
// figure (clipped to the model's layers).
AttentionAnalysis analyze_attention(const std::vector<Capture>& captures, const AttentionThresholds& thresholds,
                                    int64_t pattern_layer);

nlohmann::json attention_to_json(const AttentionAnalysis& a, const std::vector<Capture>& captures);

}  // namespace osc::analysis
