// `outlierscope experiment variants`: trains each chosen attention variant with the same model,
// budget, data and seed (through train::run_training), then measures each trained model on the
// same validation windows: loss, per-layer outlier statistics, compressed perplexities. Writes
//   OUT/runs/<variant>/             the trainer's run folders (log.csv, checkpoint, export/)
//   OUT/summary.csv, layers.csv, comparison.md, comparison.json   (comparison.h)
//   OUT/figures/                    the figures helper's comparison figures (PNG)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "experiment/comparison.h"
#include "train/train_options.h"

namespace osc::experiment {

struct VariantExperimentOptions {
  train::TrainOptions train;          // data, shape, budget, seed; variant and run_dir are set per variant
  std::vector<std::string> variants = {"softmax", "attn_bias", "ctx_scale", "sigmoid"};
  std::string out_dir;
  int64_t eval_windows = 64;          // validation windows for loss and perplexities
  int64_t stats_windows = 16;         // of those, how many the layer statistics average over
  int64_t landscape_layer = -1;       // layer of the landscape figures; -1: the middle layer
  int64_t landscape_positions = 32;   // tokens shown in the landscapes
  uint64_t eval_seed = 20250206;      // draws the validation windows
  bool figures = true;
  std::string title;                  // default: "attention variants on <data dir>"
};

// BadInput for an unknown or repeated variant, an empty list or bad numbers, before any training.
void validate_variant_experiment(const VariantExperimentOptions& o);

// Runs the experiment; a run folder that holds a checkpoint is resumed (a finished one is only
// measured again). Returns the results in the order of o.variants.
std::vector<VariantResult> run_variant_experiment(const VariantExperimentOptions& o);

// Measures one trained model (used by the runner, and by tests without training).
VariantResult measure_variant(const train::GptModel& model, const TokenWindows& windows,
                              const VariantExperimentOptions& o, const std::vector<std::string>& pieces);

}  // namespace osc::experiment
