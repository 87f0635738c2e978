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

#include "analysis/layer_sweep.h"
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
  // As the scan's sweep (layer_sweep.h): past it, the pages of each finished layer are given back.
  uint64_t memory_budget = UINT64_MAX;
};

// Runs three passes per window (original with capture, zeroed, mean) and returns the "ablation"
// report section. BadInput when a file has fewer tokens than the context.
// The passes run layer-major (layer_sweep.h's loop): every pass through layer l before any enters
// layer l + 1, so the weights are read once for all windows and variants. The originals run first;
// at the target layer their outlier entries and means are found, and the zeroed and mean passes
// start there from the originals' residual streams before that layer (up to it the three passes
// are the same computation). Each pass does what a whole forward of its window would do, so the
// perplexities are those of three forwards per window, window after window, to the bit.
// `released`, when given, receives what the memory budget made the passes give back.
nlohmann::json run_ablation(const Model& model, const AblationTarget& target, const AblationOptions& options,
                            const ActivationThresholds& thresholds, PageRelease* released = nullptr);

}  // namespace osc::analysis
