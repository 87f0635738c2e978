// Per-layer outlier statistics of a trained GptModel over validation windows, from the engine's hooks: what the variant
// comparison tabulates (An et al. visual_variants / pos_act_out; Bondarenko et al.'s kurtosis).
// Every number is computed per window, then averaged over the windows.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "experiment/token_windows.h"
#include "train/gpt_model.h"

namespace osc::experiment {

struct LayerStats {
  // |resid_post| of the layer over all [seq, dim] entries of a window: the three largest entries
  // and the median; ratio = mean top1 / mean median.
  double top1 = 0, top2 = 0, top3 = 0, median = 0, ratio = 0;
  // L2 norm of the first token's residual over the median norm of the other tokens: the
  // "massive residual norm at BOS".
  double first_token_norm_ratio = 0;
  // Attention weight that queries 1..seq-1 put on key 0, mean over heads and queries.
  double first_token_attention = 0;
  // Weight of the variant's extra slot (attn_bias / ctx_bias value v'), mean over heads and all
  // queries; 0 for variants without one.
  double extra_attention = 0;
  // Pearson kurtosis E[(x - mean)^4] / var^2 of each token's residual over its dim channels, mean
  // over tokens (3 for a Gaussian; large when a few channels carry massive values).
  double kurtosis = 0;
};

// Runs the model through the inference engine (experiment/engine_model.h: the hook points every
// `scan` reads) on up to max_windows windows and returns one entry per layer. BadInput if the
// windows do not fit the model or a hook value is not finite.
std::vector<LayerStats> measure_layer_stats(const train::GptModel& model, const TokenWindows& windows, int64_t max_windows);

// |resid_post| of layer `layer` on window 0 as a comparison landscape (docs/figures.md):
// positions 0..min(seq, max_positions)-1, every channel; pieces name the token ids.
nlohmann::json residual_landscape(const train::GptModel& model, const TokenWindows& windows, int64_t layer,
                                  int64_t max_positions, const std::vector<std::string>& pieces);

}  // namespace osc::experiment
