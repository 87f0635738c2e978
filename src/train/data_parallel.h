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
#include "train/parallel.h"

namespace osc::train {

// The sequences [first, first + count) of a global batch of `global` sequences that this process
// trains: all of them alone, a contiguous share of each rank under MPI (docs/distributed.md).
struct BatchShare {
  int64_t global = 0, first = 0, count = 0;
};
// Rank `rank` of `ranks`: sequences [global rank / ranks, global (rank + 1) / ranks), the same
// split as the threads' (so N ranks x 1 thread shard a batch exactly as 1 rank x N threads).
BatchShare rank_share(int64_t global_batch, int rank, int ranks);

class DataParallelStep {
 public:
  // Shards of the process's share (count >= 1): min(threads, count); one shard runs `main` alone
  // with op-level threading. Each shard's loss carries the weight (its sequences) / (global batch).
  DataParallelStep(GptModel& main, BatchShare share, int threads);
  DataParallelStep(GptModel& main, int64_t batch, int threads)
      : DataParallelStep(main, {batch, 0, batch}, threads) {}

  int shards() const { return shards_; }
  // Zeros the gradients of the main model and of every replica.
  void zero_grads();
  // Forward and backward of this process's share of one micro-batch (tokens, targets: the whole
  // [global batch, seq]); gradients of loss_weight * (mean loss over the global batch) accumulate
  // in each shard's model. Returns the share's part of that mean loss (the whole mean alone).
  double forward_backward(const int32_t* tokens, const int32_t* targets, int64_t seq, float loss_weight);
  // Adds the replicas' gradients into the main model's (after the last micro-batch of a step).
  void sum_gradients();
  // Forward only (validation): this process's share of the global batch's mean loss, over the same
  // shards as training, so N ranks x 1 thread and 1 rank x N threads evaluate bit for bit alike.
  double forward_loss(const int32_t* tokens, const int32_t* targets, int64_t seq);

 private:
  GptModel& shard_model(int shard) { return shard == 0 ? main_ : *replicas_[static_cast<size_t>(shard - 1)]; }
  int64_t shard_first(int shard) const { return share_.first + share_begin(share_.count, shard, shards_); }
  int64_t shard_sequences(int shard) const {
    return share_end(share_.count, shard, shards_) - share_begin(share_.count, shard, shards_);
  }
  // Forward (and backward unless forward_only) of one shard; returns its weighted part of the
  // batch's mean loss.
  double run_shard(int shard, const int32_t* tokens, const int32_t* targets, int64_t seq, float loss_weight,
                   bool forward_only);
  // run_shard on every shard, one per thread; the shards' losses summed in shard order.
  double run_shards(const int32_t* tokens, const int32_t* targets, int64_t seq, float loss_weight,
                    bool forward_only);

  GptModel& main_;
  BatchShare share_;
  int shards_;
  std::vector<std::unique_ptr<GptModel>> replicas_;
};

}  // namespace osc::train
