// |x| of one captured activation [tokens, width] around the outliers, for the 3-D activation
// figures (exist_*.png): all positions (up to 64) against all channels (up to 4096; wider
// activations are subsampled evenly, always keeping the highlighted channels).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/capture.h"

namespace osc::analysis {

nlohmann::json activation_landscape(const Capture& capture, int64_t input, const std::string& hook_pattern,
                                    int64_t layer, const std::vector<int64_t>& highlight_positions,
                                    const std::vector<int64_t>& highlight_channels);

// The "activations" report section: both sites, the token classes of the resid_post outlier
// tokens, and the landscapes at `layer` (the emergence layer; the largest-top1 layer if none).
nlohmann::json activations_json(const SiteAnalysis& resid, const SiteAnalysis* mlp_post,
                                const std::vector<Capture>& captures, const ActivationThresholds& thresholds);

}  // namespace osc::analysis
