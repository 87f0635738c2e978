// Which down-projection columns write each activation outlier (docs/metrics.md §5, "Writers"):
// every flagged resid_post entry (input, position, channel) is credited, at the first layer where
// it is flagged, to every column j of that layer's down projection W_down [d_model, d_ff] whose
// contribution mlp_post[p, j] x W_down[c, j] is at least `writer_share` of the entry's value; in a
// mixture, to every (expert e, column j) whose g[p, e] x post_e[p, j] x W_down_e[c, j] is
// (analysis/down_terms.h).
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/capture.h"
#include "analysis/lifecycle.h"

namespace osc::analysis {

struct WriterColumn {
  int64_t column = 0;
  double contribution = 0, share = 0;  // share = contribution / entry value
  int64_t expert = -1;                 // -1: a dense MLP
  double routing_weight = 1;           // g[p, expert]
};

struct EntryWriters {
  int64_t layer = 0, input = 0, position = 0, channel = 0;
  float value = 0;                      // resid_post[layer][position, channel]
  std::vector<WriterColumn> writers;    // largest share first; empty if no column gives writer_share
};

// One element per distinct (input, position, channel) of `resid`'s outliers, at its first
// flagged layer, in the order of `resid.outliers` (largest |value| first). Entries whose layer has
// no captured mlp_post (a mixture's: or hook_expert_weights) or no down projection get no writers.
std::vector<EntryWriters> attribute_writers(const SiteAnalysis& resid, const std::vector<Capture>& captures,
                                            const LayerWeights& weights, double writer_share);

// {"entries": [...], "n_entries": N, "entries_left_out": K} (at most kMaxOutliersListed listed).
nlohmann::json writers_json(const std::vector<EntryWriters>& entries, const std::vector<Capture>& captures);

}  // namespace osc::analysis
