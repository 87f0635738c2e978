// run_training: the training loop of `outlierscope train`. Writes RUN/log.csv (step, loss,
// val_loss, lr, grad_norm, tokens_per_s), checkpoints (checkpoint.h) and RUN/export/ (export_hf.h).
#pragma once
#include <cstdint>
#include <functional>
#include <limits>

#include "train/train_options.h"

namespace osc::train {

struct TrainResult {
  int64_t steps_done = 0;
  double last_loss = 0.0;
  double last_val_loss = std::numeric_limits<double>::quiet_NaN();  // NaN: never validated
  double tokens_per_second = 0.0;
};

// One optimizer step done (what the progress line and log.csv show); val_loss NaN when not validated.
struct StepReport {
  int64_t step = 0, steps = 0;
  double loss = 0.0, val_loss = 0.0, lr = 0.0, grad_norm = 0.0, tokens_per_second = 0.0;
};
using StepCallback = std::function<void(const StepReport&)>;

// on_step (the Python module's progress callback) runs after each step on the calling thread; an
// exception from it stops the run (checkpoints written so far stay).
TrainResult run_training(TrainOptions options, const StepCallback& on_step = {});

}  // namespace osc::train
