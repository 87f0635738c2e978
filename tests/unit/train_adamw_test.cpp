// Ten optimizer steps (data-parallel shards, gradient accumulation, global-norm clipping, warm-up + cosine schedule,
// AdamW with decay on 2-D tensors only) reproduce torch.optim.AdamW's loss curve on the same
// weights and batches (tests/reference/train_ref.py adamw).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "core/text_file.h"
#include "formats/safetensors.h"
#include "support/shared_data.h"
#include "train/adamw.h"
#include "train/data_parallel.h"
#include "train/gemm.h"
#include "train/gpt_model.h"
#include "train/rng.h"

namespace osc::train {
namespace {

constexpr int64_t kBatch = 2, kSeq = 8, kSteps = 10, kAccum = 2, kWarmup = 3;
constexpr double kLr = 3e-2, kClip = 0.5;

TensorView view_of(DType dtype, const Shape& shape, const void* data, uint64_t elem_bytes) {
  TensorView v;
  v.dtype = dtype, v.shape = shape, v.data = data;
  v.nbytes = static_cast<uint64_t>(shape_numel(shape)) * elem_bytes;
  return v;
}

std::vector<double> our_losses(GptModel& model, const std::vector<int32_t>& tokens, const std::vector<int32_t>& targets) {
  AdamW opt(model.params(), AdamWSettings{0.9, 0.95, 1e-8, 0.1});
  DataParallelStep runner(model, kBatch, parallel_threads());  // as the trainer does: one sequence per thread
  EXPECT_EQ(runner.shards(), 2);
  std::vector<double> losses;
  for (int64_t step = 0; step < kSteps; ++step) {
    runner.zero_grads();
    double loss = 0.0;
    for (int64_t micro = 0; micro < kAccum; ++micro) {
      const size_t at = static_cast<size_t>((step * kAccum + micro) * kBatch * kSeq);
      loss += runner.forward_backward(tokens.data() + at, targets.data() + at, kSeq, 1.0f / kAccum) / kAccum;
    }
    runner.sum_gradients();
    // As the trainer does: clipping folded into the AdamW pass.
    const double norm = grad_norm(model.params());
    opt.update(model.params(), learning_rate_at(step, kLr, kWarmup, kSteps), clip_scale(norm, kClip));
    losses.push_back(loss);
  }
  return losses;
}

class AdamWMatchesTorch : public ::testing::TestWithParam<std::string> {};

TEST_P(AdamWMatchesTorch, TenStepsLossCurve) {
  configure_threads(2);
  const std::string dir = test::scratch_dir("train_adamw_" + GetParam());
  GptConfig c;
  c.vocab_size = 17, c.context = kSeq, c.layers = 2, c.heads = 2, c.dim = 16, c.variant = GetParam();
  GptModel model(c, kBatch);
  model.params().initialize(5, c.layers);
  Rng rng(9);
  for (float& v : model.params().values) v += static_cast<float>(0.1 * rng.normal());
  const size_t n = static_cast<size_t>(kSteps * kAccum * kBatch * kSeq);
  std::vector<int32_t> tokens(n), targets(n);
  for (size_t i = 0; i < n; ++i) {  // a learnable rule (next = 3 * token + 1 mod 17) plus noise
    tokens[i] = static_cast<int32_t>(rng.below(17));
    targets[i] = rng.below(4) == 0 ? static_cast<int32_t>(rng.below(17)) : (3 * tokens[i] + 1) % 17;
  }
  std::vector<std::pair<std::string, TensorView>> weights;
  for (const auto& e : model.params().entries())
    weights.emplace_back(e.spec.name, view_of(DType::F32, e.spec.shape, model.params().values.data() + e.offset, 4));
  write_safetensors(dir + "/weights.safetensors", weights);
  const Shape batch_shape = {kSteps * kAccum, kBatch, kSeq};
  write_safetensors(dir + "/batch.safetensors", {{"tokens", view_of(DType::I32, batch_shape, tokens.data(), 4)},
                                                 {"targets", view_of(DType::I32, batch_shape, targets.data(), 4)}});
  std::ofstream(dir + "/config.json") << gpt_config_to_json(c).dump();
  const nlohmann::json hyper = {{"lr", kLr}, {"warmup", kWarmup}, {"steps", kSteps}, {"grad_accum", kAccum},
                                {"grad_clip", kClip}, {"beta1", 0.9}, {"beta2", 0.95}, {"eps", 1e-8},
                                {"weight_decay", 0.1}};
  std::ofstream(dir + "/case.json") << nlohmann::json{{"config", dir + "/config.json"},
                                                      {"weights", dir + "/weights.safetensors"},
                                                      {"batch", dir + "/batch.safetensors"},
                                                      {"out", dir + "/losses.json"},
                                                      {"hyper", hyper}}.dump();
  const std::vector<double> ours = our_losses(model, tokens, targets);
  ASSERT_NO_FATAL_FAILURE(test::run_reference("train_ref.py", "adamw " + dir + "/case.json"));
  const auto ref = nlohmann::json::parse(read_text_file(dir + "/losses.json"))["losses"].get<std::vector<double>>();
  ASSERT_EQ(ref.size(), ours.size());
  for (size_t s = 0; s < ours.size(); ++s) EXPECT_NEAR(ours[s], ref[s], 1e-4 * std::abs(ref[s])) << "step " << s;
  EXPECT_LT(ours.back(), ours.front() - 0.1) << "the run should learn";
}

// Hand-computed: gradients (3, 4) and 12 entries of 0 have norm 5; clipping to 1 scales by
// 1 / (5 + 1e-6) as torch.nn.utils.clip_grad_norm_ does, and a norm under the limit scales by exactly 1.
TEST(GradClip, NormAndScaleByHand) {
  configure_threads(2);
  ParamStore params;
  params.add({"a", {2}, Init::Zeros});
  params.add({"b", {3, 4}, Init::Zeros});
  params.allocate();
  params.grads[0] = 3.0f, params.grads[1] = 4.0f;
  EXPECT_DOUBLE_EQ(grad_norm(params), 5.0);
  EXPECT_EQ(clip_scale(5.0, 1.0), static_cast<float>(1.0 / (5.0 + 1e-6)));
  EXPECT_EQ(clip_scale(5.0, 6.0), 1.0f);
  EXPECT_EQ(clip_scale(5.0, 0.0), 1.0f);
  EXPECT_DOUBLE_EQ(clip_grad_norm(params, 1.0), 5.0);
  EXPECT_FLOAT_EQ(params.grads[1], static_cast<float>(4.0 / (5.0 + 1e-6)));
}

INSTANTIATE_TEST_SUITE_P(Variants, AdamWMatchesTorch, ::testing::Values("softmax", "attn_bias", "ctx_scale", "clipped_softmax"));

}  // namespace
}  // namespace osc::train
