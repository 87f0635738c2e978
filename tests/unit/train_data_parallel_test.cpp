// DataParallelStep (train/data_parallel.h): splitting a batch into per-thread shards, each run in
// its own replica, gives the loss and gradients of the whole batch run in one model (whose
// gradients train_gradients_test checks against PyTorch autograd and finite differences), with
// uneven shards, accumulation over micro-batches, and the extra parameters of the variants.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "train/data_parallel.h"
#include "train/gemm.h"
#include "train/gpt_model.h"
#include "train/parallel.h"
#include "train/rng.h"

namespace osc::train {
namespace {

constexpr int64_t kBatch = 3, kSeq = 9, kVocab = 23;  // 3 sequences on 2 threads: shards of 1 and 2

GptConfig small_config(const std::string& variant) {
  GptConfig c;
  c.vocab_size = kVocab, c.context = kSeq, c.layers = 2, c.heads = 2, c.dim = 16, c.variant = variant;
  return c;
}

std::vector<int32_t> random_ids(Rng& rng, int64_t n) {
  std::vector<int32_t> ids(static_cast<size_t>(n));
  for (int32_t& id : ids) id = static_cast<int32_t>(rng.below(kVocab));
  return ids;
}

struct Result {
  double loss = 0.0;
  std::vector<float> grads;
};

// Two micro-batches of weight 1/2 each, through `runner` (whose main model is `model`).
Result accumulate(GptModel& model, DataParallelStep& runner, const std::vector<int32_t>& tokens,
                  const std::vector<int32_t>& targets) {
  Result r;
  runner.zero_grads();
  for (int64_t micro = 0; micro < 2; ++micro) {
    const size_t at = static_cast<size_t>(micro * kBatch * kSeq);
    r.loss += 0.5 * runner.forward_backward(tokens.data() + at, targets.data() + at, kSeq, 0.5f);
  }
  runner.sum_gradients();
  r.grads = model.params().grads;
  return r;
}

class DataParallel : public ::testing::TestWithParam<std::string> {};

TEST_P(DataParallel, ShardsGiveTheWholeBatchLossAndGradients) {
  configure_threads(2);
  const GptConfig c = small_config(GetParam());
  GptModel model(c, kBatch);
  model.params().initialize(3, c.layers);
  Rng rng(17);
  for (float& v : model.params().values) v += static_cast<float>(0.05 * rng.normal());
  const auto tokens = random_ids(rng, 2 * kBatch * kSeq), targets = random_ids(rng, 2 * kBatch * kSeq);

  DataParallelStep whole(model, kBatch, 1);
  ASSERT_EQ(whole.shards(), 1);
  const Result expected = accumulate(model, whole, tokens, targets);
  DataParallelStep sharded(model, kBatch, 2);
  ASSERT_EQ(sharded.shards(), 2);
  const Result got = accumulate(model, sharded, tokens, targets);

  EXPECT_NEAR(got.loss, expected.loss, 1e-6 * expected.loss);
  float largest = 0.0f;
  for (float g : expected.grads) largest = std::max(largest, std::abs(g));
  ASSERT_GT(largest, 0.0f);
  for (const auto& e : model.params().entries())
    for (int64_t i = 0; i < e.numel; ++i) {
      const size_t at = static_cast<size_t>(e.offset + i);
      ASSERT_NEAR(got.grads[at], expected.grads[at], 1e-5f * largest) << e.spec.name << "[" << i << "]";
    }
}

INSTANTIATE_TEST_SUITE_P(Variants, DataParallel, ::testing::Values("softmax", "attn_bias", "ctx_scale", "gated"),
                         [](const auto& info) { return info.param; });

TEST(DataParallelErrors, AnOutOfRangeIdInAShardIsReportedNotACrash) {
  configure_threads(2);
  const GptConfig c = small_config("softmax");
  GptModel model(c, kBatch);
  model.params().initialize(3, c.layers);
  Rng rng(5);
  auto tokens = random_ids(rng, kBatch * kSeq);
  const auto targets = random_ids(rng, kBatch * kSeq);
  tokens.back() = kVocab;  // in the second shard
  DataParallelStep sharded(model, kBatch, 2);
  sharded.zero_grads();
  try {
    sharded.forward_backward(tokens.data(), targets.data(), kSeq, 1.0f);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("token id out of range"), std::string::npos) << e.what();
  }
}

TEST(DataParallelErrors, ShardsNeverExceedTheBatch) {
  const GptConfig c = small_config("softmax");
  GptModel model(c, 1);
  EXPECT_EQ(DataParallelStep(model, 1, 4).shards(), 1);
  EXPECT_EQ(DataParallelStep(model, 1, 0).shards(), 1);
}

}  // namespace
}  // namespace osc::train
