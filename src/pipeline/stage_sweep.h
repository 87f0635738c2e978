// The capture sweep of a layer-pipelined `scan` (docs/distributed.md): every rank runs every input
// through its own layers layer-major (all inputs through layer l before any enters l + 1, as
// analysis/layer_sweep.h does in one process), with the hooks of capture_inputs (input 0 in full
// detail). An input's residual stream [T, d_model] leaves for the next rank as soon as it has
// passed this rank's last layer, and the next rank runs its first layer on each input as it
// arrives, so neighbouring ranks overlap by a layer. The last rank runs the head. Every rank's
// captures then go to rank 0, which ends with the captures one process's sweep gives.
//
// Memory per rank: the weights of its layers + every input's residual stream + the captures of
// its layers (rank 0: of all layers, once gathered).
#pragma once
#include <vector>

#include "analysis/capture.h"
#include "pipeline/layer_pipeline.h"

namespace osc::pipeline {

// Every rank calls it (a collective). Rank 0 passes the inputs and gets one Capture per input, in
// their order; the other ranks pass none and get none (they learn the inputs' lengths from rank 0).
std::vector<analysis::Capture> stage_capture_sweep(const LayerPipeline& job, std::vector<analysis::InputSequence> inputs,
                                                   bool with_attention, bool quiet);

}  // namespace osc::pipeline
