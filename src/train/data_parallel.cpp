#include "train/data_parallel.h"

#include <algorithm>
#include <exception>

#include "train/parallel.h"

namespace osc::train {

DataParallelStep::DataParallelStep(GptModel& main, int64_t batch, int threads)
    : main_(main), batch_(batch), shards_(static_cast<int>(std::clamp<int64_t>(threads, 1, batch))) {
  for (int s = 1; s < shards_; ++s) {
    const int64_t sequences = share_end(batch, s, shards_) - share_begin(batch, s, shards_);
    replicas_.push_back(std::make_unique<GptModel>(main.config(), sequences, &main));
  }
}

void DataParallelStep::zero_grads() {
  main_.params().zero_grads();
  for (auto& r : replicas_) r->params().zero_grads();
}

double DataParallelStep::forward_backward(const int32_t* tokens, const int32_t* targets, int64_t seq,
                                          float loss_weight) {
  if (shards_ == 1) {
    const double loss = main_.forward(tokens, targets, batch_, seq, loss_weight);
    main_.backward();
    return loss;
  }
  std::vector<double> losses(static_cast<size_t>(shards_), 0.0);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(shards_));
  parallel_run([&](int t, int nt) {
    for (int s = t; s < shards_; s += nt) {  // one shard per thread unless OpenMP gave fewer threads
      try {
        const int64_t first = share_begin(batch_, s, shards_), n = share_end(batch_, s, shards_) - first;
        const double share = static_cast<double>(n) / static_cast<double>(batch_);
        GptModel& m = shard_model(s);
        const float shard_weight = loss_weight * static_cast<float>(share);
        losses[static_cast<size_t>(s)] =
            share * m.forward(tokens + first * seq, targets + first * seq, n, seq, shard_weight);
        m.backward();
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
