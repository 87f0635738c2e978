// The activation-outlier rule (docs/metrics.md §2), defined once for the scan and the ablation:
// which entries of one layer's [tokens, channels] matrix, for one input, are outliers.
#pragma once
#include <cstdint>
#include <vector>

#include "analysis/capture.h"
#include "analysis/thresholds.h"

namespace osc::analysis {

// The scale the relative floor multiplies: the median |x| of the matrix, or, when at least half
// of the entries are exactly 0 (ReLU activations), the median of the nonzero |x|.
double detection_scale(const MatrixRef& m, double median);

// Flat row-major indices (position * cols + channel) of the outlier entries of `m`, largest |x|
// first (ties to the lower index). `median`: median |x| of `m`.
//   relative / absolute / both: every entry that passes the bound(s) on its own;
//   gap: the entries over the floor k x scale that lie above the lowest gap in the sorted
//        magnitudes: |x_i| >= gap_ratio x |x_(i+1)|, x_(i+1) the next-largest entry of the whole
//        matrix (which may be under the floor). No such gap: no outliers.
std::vector<int64_t> activation_outlier_entries(const MatrixRef& m, double median, const ActivationThresholds& t);

}  // namespace osc::analysis
