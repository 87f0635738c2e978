// TrainOptions: everything `outlierscope train` takes, saved in each checkpoint so that --resume
// continues the same run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

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
  // train_options_to_json names of the options the user set explicitly (the command line's); a
  // resumed run compares them with the run's saved options.
  std::vector<std::string> given;
};

nlohmann::json train_options_to_json(const TrainOptions& o);
// Restores the run-defining fields (model, optimisation, schedule, seed) from a checkpoint.
void train_options_from_json(const nlohmann::json& j, TrainOptions& o, const std::string& where);
// BadInput naming the option for out-of-range values (domains: core/option_domains.cpp).
void validate_train_options(const TrainOptions& o);

// The run-defining options (model, data order, optimisation, schedule) among `fields` whose values
// differ between a run's saved options and the requested ones, as "lr: the run has 0.001, given 0.002".
// Logging and checkpoint cadence and the thread count do not define a run.
std::vector<std::string> run_option_differences(const TrainOptions& saved, const TrainOptions& requested,
                                                const std::vector<std::string>& fields);
// Every field of train_options_to_json.
std::vector<std::string> all_train_option_fields();

// The options a resumed run continues with: the run's saved ones, where the user gave
//   --steps: a new total (not below the `done` steps); the cosine schedule spans the new total
//            from the current step on (the steps already taken keep their learning rates);
//   --eval-every, --eval-batches, --ckpt-every, --threads, --stop-at: the given values;
//   anything else: the same value as the run, or BadInput naming every difference.
TrainOptions resumed_options(const TrainOptions& saved, const TrainOptions& requested, int64_t done);

}  // namespace osc::train
