// TrainOptions: everything `outlierscope train` takes, saved in each checkpoint so that --resume
// continues the same run.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "train/adamw.h"

namespace osc::train {

struct TrainOptions {
  std::string data_dir, run_dir;
  std::string variant = "softmax";
  int64_t layers = 4, heads = 4, dim = 128, context = 128;
  bool bias = true;
  int64_t batch = 8, grad_accum = 1, steps = 1000, warmup = 100;
  double lr = 1e-3, grad_clip = 1.0;
  AdamWSettings adamw;
  int64_t eval_every = 100, eval_batches = 8, ckpt_every = 500;
  uint64_t seed = 1337;
  int threads = 0;   // 0: OpenMP default
  bool resume = false, quiet = false;
  int64_t stop_at = 0;  // > 0: stop (with a checkpoint) after this step; the schedule still spans `steps`
};

nlohmann::json train_options_to_json(const TrainOptions& o);
// Restores the run-defining fields (model, optimisation, schedule, seed) from a checkpoint.
void train_options_from_json(const nlohmann::json& j, TrainOptions& o, const std::string& where);
// BadInput naming the option for out-of-range values.
void validate_train_options(const TrainOptions& o);

}  // namespace osc::train
