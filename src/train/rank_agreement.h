// Before the first step of a multi-process run, every rank must hold the same run: the same
// options, step, data Rng and weights. Otherwise the summed gradients would mix different models
// (a rank started with another command line, or reading another version of the run folder).
#pragma once
#include <array>
#include <cstdint>

#include "train/param_store.h"
#include "train/train_options.h"

namespace osc::train {

// Compares this rank's run with rank 0's; BadInput on a rank that differs, naming what differs.
// Does nothing in a single-process job.
void check_ranks_agree(const TrainOptions& o, int64_t step, const std::array<uint64_t, 4>& rng,
                       const ParamStore& params);

}  // namespace osc::train
