// Activation outliers (An et al. §3, Sun et al. "Massive Activations"): per layer, the top-1/2/3
// magnitudes and the median of |x| over all tokens and channels of one sequence (averaged over
// sequences, as pos_act_out.png), and every entry over the threshold: the outlier channels (and
// the layers they persist in) and the outlier tokens.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "analysis/capture.h"
#include "analysis/thresholds.h"
#include "analysis/token_classes.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {

inline const std::string kResidPost = hook_pattern(HookPoint::ResidPost);  // "blocks.{L}.hook_resid_post"
inline const std::string kMlpPost = hook_pattern(HookPoint::MlpPost);

// 32 bytes: a 7B model's mlp_post under --act-rule relative --act-k 7 flags ~10^8 entries.
struct ActivationOutlier {
  int32_t layer = 0, input = 0, position = 0, channel = 0;
  float value = 0;               // signed
  int32_t expert = -1;           // a mixture's mlp_post: the expert of channel e·d_ff + i; -1 otherwise
  double ratio_to_median = 0;    // |value| / median |x| of that layer and input
};

// report.json lists at most this many outlier entries per site (largest first) and says how many
// it left out; the analyses themselves use all of them.
inline constexpr size_t kMaxOutliersListed = 2000;

struct OutlierChannel {
  int64_t channel = 0;
  std::vector<int64_t> layers;   // ascending
  double max_abs = 0;
  int64_t longest_run = 0;       // consecutive layers at one and the same token (persistence)
};

struct OutlierToken {
  int64_t input = 0, position = 0;
  std::vector<int64_t> layers;
  double max_abs = 0;
};

struct SiteAnalysis {
  std::string name, hook_pattern;
  int64_t width = 0, n_layers = 0;
  // A mixture's combined mlp.hook_post [T, E·d_ff]: E, and every statistic below counts only the
  // entries of the experts each token was routed to (routed_entries.h); 0 otherwise.
  int64_t n_experts = 0;
  // Per layer; magnitudes are means over inputs of each input's value (pos_act_out.png).
  std::vector<double> top1, top2, top3, median;
  std::vector<int64_t> top1_channel, top2_channel, top1_position, top1_input, n_outliers;
  std::vector<std::vector<double>> median_by_input;  // [layer][input]
  std::vector<ActivationOutlier> outliers;           // largest |value| first
  std::vector<OutlierChannel> channels;              // largest max_abs first
  std::vector<OutlierToken> tokens;                  // by input, then position
};

// Analyses hook `hook_pattern` ("blocks.{L}.hook_resid_post") over all captures; every capture
// must hold the same number of layers of it. BadInput if none is captured. `routed`: the site is
// an MLP's hook_post, which on a mixture counts only the routed experts' entries. `memory_left`:
// bytes the outlier entries may take (kBytesPerOutlier each, with their sorting and grouping);
// past it, BadInput naming what to change rather than an OOM kill.
SiteAnalysis analyze_site(const std::vector<Capture>& captures, const std::string& name,
                          const std::string& hook_pattern, const ActivationThresholds& thresholds,
                          bool routed = false, uint64_t memory_left = UINT64_MAX);

// One entry of SiteAnalysis::outliers at its peak: up to two slots while the vector doubles (three
// while it moves), or its slot, its copy in the stable sort's buffer and its pointer in the
// grouping by channel.
inline constexpr uint64_t kBytesPerOutlier = 3 * sizeof(ActivationOutlier) + sizeof(void*);

// First layer with an outlier; -1 if none.
int64_t first_outlier_layer(const SiteAnalysis& site);
// Token classes of the site's outlier tokens (one count per token).
TokenClassCounts outlier_token_classes(const SiteAnalysis& site, const std::vector<Capture>& captures);

nlohmann::json site_to_json(const SiteAnalysis& site, const std::vector<Capture>& captures,
                            const ActivationThresholds& thresholds);

}  // namespace osc::analysis
