// Ablation (Sun et al. 2024, "Massive Activations", Table: LLaMA-2-7B WikiText 5.47 original,
// inf with the massive activations set to zero, 5.47 with them set to their mean): perplexity of
// text files with the detected outlier entries (emergence layer's resid_post, outlier channels,
// at the positions where they are outliers in each window) zeroed or set to their dataset mean
// during the forward pass.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/thresholds.h"
#include "model/model.h"

namespace osc::analysis {

struct AblationTarget {
  int64_t layer = -1;             // resid_post of this layer
  std::vector<int64_t> channels;  // d_model channels
};

struct AblationOptions {
  std::vector<std::string> files;
  int64_t context = 256;          // tokens per window (the "paper" perplexity convention)
  int64_t max_windows = 16;       // per file
  bool quiet = false;
};

// Runs three passes per window (original with capture, zeroed, mean) and returns the "ablation"
// report section. BadInput when a file has fewer tokens than the context.
nlohmann::json run_ablation(const Model& model, const AblationTarget& target, const AblationOptions& options,
                            const ActivationThresholds& thresholds);

}  // namespace osc::analysis
