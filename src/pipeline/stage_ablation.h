// The perplexity ablation of a layer-pipelined `scan` (analysis/ablation.h, docs/distributed.md).
// Rank 0 tokenizes the windows and sends them with the target (layer, channels) to every rank.
// Each rank runs the three passes of every window (analysis/ablation_passes.h) through its own
// layers, layer-major, then hands every window's streams to the next rank: the originals, and past
// the target layer the zeroed and mean ones. The rank that holds the target layer finds the
// entries and their means (from all windows) and starts the zeroed and mean passes there; the last
// rank scores every head in one process's order. Both send their results to rank 0, which builds
// the report section one process does.
//
// Memory per rank: the weights of its layers + three residual streams [T, d_model] per window.
#pragma once
#include <nlohmann/json.hpp>

#include "analysis/ablation.h"
#include "pipeline/layer_pipeline.h"

namespace osc::pipeline {

// Every rank calls it (a collective); `target` and `options` count on rank 0 only. Rank 0 gets the
// "ablation" section (BadInput as run_ablation's), the other ranks null.
nlohmann::json stage_ablation(const LayerPipeline& job, const analysis::AblationTarget& target,
                              const analysis::AblationOptions& options, const analysis::ActivationThresholds& thresholds);

}  // namespace osc::pipeline
