#include "train/data_parallel.h"

#include <algorithm>
#include <exception>

#include "train/parallel.h"

namespace osc::train {

BatchShare rank_share(int64_t global_batch, int rank, int ranks) {
  const int64_t first = share_begin(global_batch, rank, ranks);
  return {global_batch, first, share_end(global_batch, rank, ranks) - first};
}

DataParallelStep::DataParallelStep(GptModel& main, BatchShare share, int threads)
    : main_(main), share_(share), shards_(static_cast<int>(std::clamp<int64_t>(threads, 1, share.count))) {
  for (int s = 1; s < shards_; ++s)
    replicas_.push_back(std::make_unique<GptModel>(main.config(), shard_sequences(s), &main));
}

void DataParallelStep::zero_grads() {
  main_.params().zero_grads();
  for (auto& r : replicas_) r->params().zero_grads();
}

double DataParallelStep::forward_backward(const int32_t* tokens, const int32_t* targets, int64_t seq,
                                          float loss_weight) {
  return run_shards(tokens, targets, seq, loss_weight, false);
}

double DataParallelStep::forward_loss(const int32_t* tokens, const int32_t* targets, int64_t seq) {
  return run_shards(tokens, targets, seq, 0.0f, true);
}

double DataParallelStep::run_shards(const int32_t* tokens, const int32_t* targets, int64_t seq, float loss_weight,
                                    bool forward_only) {
  if (shards_ == 1) return run_shard(0, tokens, targets, seq, loss_weight, forward_only);
  std::vector<double> losses(static_cast<size_t>(shards_), 0.0);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(shards_));
  parallel_run([&](int t, int nt) {
    for (int s = t; s < shards_; s += nt) {  // one shard per thread unless OpenMP gave fewer threads
      try {
        losses[static_cast<size_t>(s)] = run_shard(s, tokens, targets, seq, loss_weight, forward_only);
      } catch (...) {
        errors[static_cast<size_t>(s)] = std::current_exception();
      }
    }
  });
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  double loss = 0.0;
  for (double l : losses) loss += l;
  return loss;
}

double DataParallelStep::run_shard(int shard, const int32_t* tokens, const int32_t* targets, int64_t seq,
                                   float loss_weight, bool forward_only) {
  const int64_t first = shard_first(shard), n = shard_sequences(shard);
  // Alone on the whole batch: share 1 and the weight unchanged; the products below are then exact.
  const double share = static_cast<double>(n) / static_cast<double>(share_.global);
  GptModel& m = shard_model(shard);
  const double loss = share * m.forward(tokens + first * seq, targets + first * seq, n, seq,
                                        loss_weight * static_cast<float>(share));
  if (!forward_only) m.backward();
  return loss;
}

void DataParallelStep::sum_gradients() {
  if (replicas_.empty()) return;
  std::vector<float>& sum = main_.params().grads;
  parallel_for(static_cast<int64_t>(sum.size()), [&](int64_t begin, int64_t end) {
    for (const auto& r : replicas_) {
      const float* g = r->params().grads.data();
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) sum[static_cast<size_t>(i)] += g[i];
    }
  });
}

}  // namespace osc::train
