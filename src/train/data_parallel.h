// Data-parallel training steps on the cores of one machine. The batch is split into one shard of
// whole sequences per thread; each shard runs forward and backward in its own model (the main
// model for shard 0, replicas reading the main model's parameters for the others), with its own
// activations and gradients, and the threads meet once per micro-batch instead of at every op
// (about 16 parallel regions per layer with op-level threading). The replicas' gradients are then
// summed into the main model's in a fixed order, so a run is reproducible for a given thread count.
//
// Why: at 128-wide models a step is overhead-bound. Op-level threading pays a fork-join per op
// and reads the other core's rows in every weight-gradient product; per-shard threading pays a
// second set of gradients and one summation pass per step.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "train/gpt_model.h"

namespace osc::train {

class DataParallelStep {
 public:
  // Shards: min(threads, batch); one shard runs `main` alone with op-level threading.
  DataParallelStep(GptModel& main, int64_t batch, int threads);

  int shards() const { return shards_; }
  // Zeros the gradients of the main model and of every replica.
  void zero_grads();
  // Forward and backward of one micro-batch (tokens, targets: [batch, seq]); gradients of
  // loss_weight * mean loss accumulate in each shard's model. Returns the mean loss of the batch.
  double forward_backward(const int32_t* tokens, const int32_t* targets, int64_t seq, float loss_weight);
  // Adds the replicas' gradients into the main model's (after the last micro-batch of a step).
  void sum_gradients();

 private:
  GptModel& shard_model(int shard) { return shard == 0 ? main_ : *replicas_[static_cast<size_t>(shard - 1)]; }

  GptModel& main_;
  int64_t batch_;
  int shards_;
  std::vector<std::unique_ptr<GptModel>> replicas_;
};

}  // namespace osc::train
