// The lifecycle of a layer-pipelined `scan` (docs/distributed.md): rank 0 holds every input's
// captures but only its own layers' weights, while the lifecycle reads the down / gate / up / o
// projections of a few layers anywhere in the model: the emergence layer, the disappearance layer
// and the first flagged layer of each outlier entry (its writers). Rank 0 finds those layers from
// the captures alone (the same analyses run without weights), asks for them, and the rank that
// holds each such layer sends a copy of those matrices (their bytes as stored: the numbers are
// one process's). Rank 0 then runs analysis::lifecycle_json as one process does; the copies are
// freed with it. So rank 0 holds, for this step only, at most those few layers' MLP and o
// matrices on top of its share; no rank maps another's tensors.
#pragma once
#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/capture.h"
#include "analysis/thresholds.h"
#include "pipeline/layer_pipeline.h"

namespace osc::pipeline {

// Every rank calls it (a collective) when the scan part has a lifecycle. Rank 0 passes the
// resid_post analysis and the captures and gets the report's "lifecycle" section; the other
// ranks' arguments are not read: they send what rank 0 asks for and get null.
nlohmann::json stage_lifecycle(const LayerPipeline& job, const analysis::SiteAnalysis* resid,
                               const std::vector<analysis::Capture>* captures,
                               const analysis::ActivationThresholds& thresholds);

}  // namespace osc::pipeline
