// Training checkpoints in a run folder. Weights and AdamW moments go to
// RUN/checkpoint-<step>.safetensors, then RUN/checkpoint.json (step, Rng state, options) is
// replaced atomically and names that file: the JSON is the commit point, so a run killed at any
// moment resumes from the last complete checkpoint. Older tensor files are removed afterwards.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "train/adamw.h"
#include "train/gpt_model.h"
#include "train/train_options.h"

namespace osc::train {

struct CheckpointState {
  int64_t step = 0;                   // completed optimizer steps
  std::array<uint64_t, 4> rng{};      // the training data Rng after `step` steps
  TrainOptions options;
};

void save_checkpoint(const std::string& run_dir, const GptModel& model, const AdamW& opt, const CheckpointState& s);
bool checkpoint_exists(const std::string& run_dir);
// Reads RUN/checkpoint.json (options are restored into state.options, which should hold the
// command line's values first).
CheckpointState read_checkpoint_state(const std::string& run_dir, CheckpointState state);
// Loads weights and moments; BadInput naming the file for a missing or mis-shaped tensor.
void load_checkpoint_tensors(const std::string& run_dir, GptModel& model, AdamW& opt);

}  // namespace osc::train
