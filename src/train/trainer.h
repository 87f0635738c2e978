// run_training: the training loop of `outlierscope train`. Writes RUN/log.csv (step, loss,
// val_loss, lr, grad_norm, tokens_per_s), checkpoints (checkpoint.h) and RUN/export/ (export_hf.h).
#pragma once
#include <cstdint>
#include <limits>

#include "train/train_options.h"

namespace osc::train {

struct TrainResult {
  int64_t steps_done = 0;
  double last_loss = 0.0;
  double last_val_loss = std::numeric_limits<double>::quiet_NaN();  // NaN: never validated
  double tokens_per_second = 0.0;
};

TrainResult run_training(TrainOptions options);

}  // namespace osc::train
