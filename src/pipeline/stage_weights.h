// The weight statistics of a layer-pipelined job (`mpirun -np N outlierscope scan weights`): each
// rank reads only the weights of its own layers (analysis/weight_outliers.h, one layer at a time),
// rank 0 gathers every layer's summary, and the landscape around the strongest down column is
// drawn by the rank that holds that matrix. Rank 0 ends with the analysis one process computes.
#pragma once
#include <cstddef>
#include <vector>

#include "analysis/thresholds.h"
#include "analysis/weight_outliers.h"
#include "pipeline/layer_pipeline.h"

namespace osc::pipeline {

// Every rank calls it (a collective); rank 0 gets the whole model's analysis, every other rank
// the curves over all layers without the landscape.
analysis::WeightAnalysis stage_weight_analysis(const LayerPipeline& job, const analysis::WeightThresholds& thresholds,
                                               bool quiet);

// The layer summaries as one message and back (exact: doubles travel as binary CBOR).
std::vector<std::byte> pack_layer_summaries(const std::vector<analysis::LayerWeightSummary>& layers);
std::vector<analysis::LayerWeightSummary> unpack_layer_summaries(const std::vector<std::byte>& message);

}  // namespace osc::pipeline
