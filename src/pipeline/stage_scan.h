// `mpirun -np N outlierscope scan` (docs/distributed.md): the scan of analysis/scan_pipeline.h
// with the layers split over the ranks. The weight statistics (stage_weights.h), the capture
// sweep (stage_sweep.h) and the lifecycle's weight reads (stage_lifecycle.h) run where the layers
// are, and so do the perplexity ablation's passes (stage_ablation.h); rank 0 runs every analysis
// of the captures and assembles the report one process does.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/scan_pipeline.h"
#include "pipeline/layer_pipeline.h"

namespace osc::pipeline {

// BadInput (on rank 0; the other ranks wait for rank 0 to end the job) for `scan ablate` without a
// text file. Call it on every rank before the job starts.
void check_pipelined_scan(const analysis::ScanInputs& inputs, const analysis::ScanOptions& options);

// Every rank calls it; rank 0 passes the inputs and gets the report, the others get null.
nlohmann::json stage_scan(const LayerPipeline& job, const std::string& path, const analysis::ScanInputs& inputs,
                          const analysis::ScanOptions& options);

}  // namespace osc::pipeline
