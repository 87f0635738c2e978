// The activation-outlier rule (docs/metrics.md §2), defined once for the scan and the ablation:
// which entries of one layer's [tokens, channels] matrix, for one input, are outliers.
#pragma once
#include <cstdint>
#include <vector>

#include "analysis/capture.h"
#include "analysis/thresholds.h"

namespace osc::analysis {

// Which entries of a [tokens, channels] matrix the statistics count, flat row-major (1 = counted);
// empty: every entry. A mixture's combined mlp.hook_post counts only the routed experts' channels.
using CountedEntries = std::vector<uint8_t>;

// The scale the relative floor multiplies: the median |x| of the counted entries, or, when at
// least half of them are exactly 0 (ReLU activations), the median of the nonzero counted |x|.
double detection_scale(const MatrixRef& m, double median, const CountedEntries& counted = {});

// Flat row-major indices (position * cols + channel) of the outlier entries of `m` among the
// counted ones, largest |x| first (ties to the lower index). `median`: median |x| of those.
//   relative / absolute / both: every entry that passes the bound(s) on its own;
//   gap: the entries over the floor k x scale that lie above the lowest gap in the sorted
//        magnitudes: |x_i| >= gap_ratio x |x_(i+1)|, x_(i+1) the next-largest counted entry
//        (which may be under the floor). No such gap: no outliers.
std::vector<int64_t> activation_outlier_entries(const MatrixRef& m, double median, const ActivationThresholds& t,
                                                const CountedEntries& counted = {});

}  // namespace osc::analysis
