// The efficiency experiment's evaluation pass and compressions on tiny random models: the pass is
// the trainer's forward (itself checked against torch) and its transform equals the same edit made
// in the weights, and planted outliers make the
// compressions cost what the outlier literature predicts (per-channel < per-tensor for a weight
// outlier; per-token activation quantization hurts with an activation outlier).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "experiment/efficiency.h"
#include "experiment/eval_forward.h"
#include "train/rng.h"

namespace osc::experiment {
namespace {

train::GptConfig tiny_config(const std::string& variant) {
  train::GptConfig c;
  c.vocab_size = 24, c.context = 12, c.layers = 2, c.heads = 2, c.dim = 16, c.variant = variant;
  return c;
}

TokenWindows random_windows(int64_t count, int64_t seq, int64_t vocab, uint64_t seed) {
  TokenWindows w;
  w.count = count, w.seq = seq;
  train::Rng rng(seed);
  for (int64_t i = 0; i < count * seq; ++i) {
    w.tokens.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab))));
    w.targets.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab))));
  }
  return w;
}

float* tensor(train::GptModel& m, const std::string& name) {
  const train::ParamEntry* e = m.params().find(name);
  EXPECT_NE(e, nullptr) << name;
  return m.params().values.data() + e->offset;
}

double relative_cost(const train::GptModel& m, const TokenWindows& w, Compression c) {
  return perplexity(m, w, c) / perplexity(m, w, Compression::Original) - 1.0;
}

TEST(ExperimentEvalForward, WithoutTransformIsTheTrainerForwardForEveryVariant) {
  for (const std::string variant : {"softmax", "fixed_bias", "ctx_bias", "attn_bias", "ctx_scale", "sigmoid",
                                    "softmax1", "clipped_softmax", "gated"}) {
    train::GptModel m(tiny_config(variant), 3);
    m.params().initialize(7, 2);
    const TokenWindows w = random_windows(3, 12, 24, 11);
    const double want = m.forward(w.tokens.data(), w.targets.data(), 3, 12, 0.0f);
    const double got = evaluate_loss(m, w.tokens.data(), w.targets.data(), 3, 12, nullptr);
    EXPECT_EQ(got, want) << variant;
  }
}

// Doubling the input of every c_attn (the first transform call of each block) is the same model
// as doubling ln_1's weight and bias, and halving mlp.c_proj's input is halving its weight: the
// transform acts on the right tensors and its result is what the products use.
TEST(ExperimentEvalForward, TransformEqualsTheSameEditInTheWeights) {
  train::GptModel m(tiny_config("softmax"), 2), edited(tiny_config("softmax"), 2);
  m.params().initialize(5, 2);
  edited.params().values = m.params().values;
  for (const std::string block : {"h.0.", "h.1."}) {
    for (const std::string name : {"ln_1.weight", "ln_1.bias"})
      for (int64_t i = 0; i < 16; ++i) tensor(edited, block + name)[i] *= 2.0f;
    for (int64_t i = 0; i < 16 * 64; ++i) tensor(edited, block + "mlp.c_proj.weight")[i] *= 0.5f;
  }
  const TokenWindows w = random_windows(2, 12, 24, 13);
  int call = 0;
  // Per block: c_attn input doubled, mlp.c_proj input halved, the other two left alone.
  const auto transform = [&](float* x, int64_t rows, int64_t width) {
    const float factor = call % 4 == 0 ? 2.0f : call % 4 == 3 ? 0.5f : 1.0f;
    for (int64_t i = 0; i < rows * width; ++i) x[i] *= factor;
    ++call;
  };
  const double got = evaluate_loss(m, w.tokens.data(), w.targets.data(), 2, 12, transform);
  const double want = edited.forward(w.tokens.data(), w.targets.data(), 2, 12, 0.0f);
  EXPECT_EQ(call, 8);
  EXPECT_NEAR(got, want, 1e-6 * want);
  EXPECT_GT(std::abs(got - m.forward(w.tokens.data(), w.targets.data(), 2, 12, 0.0f)), 1e-4) << "the edit matters";
}

TEST(ExperimentEvalForward, TrainingWithATransformIsRefused) {
  train::GptModel m(tiny_config("softmax"), 1);
  m.params().initialize(5, 2);
  m.set_linear_input_transform([](float*, int64_t, int64_t) {});
  const TokenWindows w = random_windows(1, 4, 24, 3);
  EXPECT_THROW(m.forward(w.tokens.data(), w.targets.data(), 1, 4, 1.0f), Error);
}

TEST(ExperimentEvalForward, TransformSeesEveryBlockLinearInput) {
  train::GptModel m(tiny_config("softmax"), 1);
  m.params().initialize(3, 2);
  const TokenWindows w = random_windows(2, 5, 24, 5);
  std::vector<int64_t> widths;
  evaluate_loss(m, w.tokens.data(), w.targets.data(), 2, 5, [&](float*, int64_t rows, int64_t width) {
    EXPECT_EQ(rows, 10);
    widths.push_back(width);
  });
  EXPECT_EQ(widths, (std::vector<int64_t>{16, 16, 16, 64, 16, 16, 16, 64}));
}

TEST(ExperimentEvalForward, RejectsOutOfRangeTokens) {
  train::GptModel m(tiny_config("softmax"), 1);
  const std::vector<int32_t> tokens = {1, 24}, targets = {1, 2};
  EXPECT_THROW(evaluate_loss(m, tokens.data(), targets.data(), 1, 2, nullptr), Error);
  EXPECT_THROW(evaluate_loss(m, tokens.data(), targets.data(), 1, 13, nullptr), Error);
}

TEST(ExperimentCompression, TouchesOnlyBlockLinearWeights) {
  EXPECT_TRUE(is_block_linear_weight("h.0.attn.c_attn.weight"));
  EXPECT_TRUE(is_block_linear_weight("h.11.mlp.c_proj.weight"));
  EXPECT_FALSE(is_block_linear_weight("h.0.attn.c_attn.bias"));
  EXPECT_FALSE(is_block_linear_weight("wte.weight"));
  EXPECT_FALSE(is_block_linear_weight("h.0.attn.gate.weight"));
  train::GptModel m(tiny_config("softmax"), 1);
  m.params().initialize(5, 2);
  const std::vector<float> before = m.params().values;
  compress_weights(m.params(), Compression::Sparse50);
  for (const auto& e : m.params().entries()) {
    int64_t zeros = 0, changed = 0;
    for (int64_t i = 0; i < e.numel; ++i) {
      const size_t k = static_cast<size_t>(e.offset + i);
      zeros += m.params().values[k] == 0.0f;
      changed += m.params().values[k] != before[k];
    }
    if (is_block_linear_weight(e.spec.name)) EXPECT_EQ(zeros, e.numel / 2) << e.spec.name;
    else EXPECT_EQ(changed, 0) << e.spec.name;
  }
}

TEST(ExperimentCompression, PerChannelBeatsPerTensorWithAPlantedWeightOutlier) {
  train::GptModel m(tiny_config("softmax"), 1);
  m.params().initialize(9, 2);
  const TokenWindows w = random_windows(4, 12, 24, 13);
  // One huge entry in row 3 of the first MLP: a per-tensor scale of 1000 x 0.02 / 127 rounds
  // almost every other entry of the matrix to zero; a per-row scale only that row's.
  tensor(m, "h.0.mlp.c_fc.weight")[3 * 16 + 5] = 20.0f;
  const double per_tensor = relative_cost(m, w, Compression::W8PerTensor);
  const double per_channel = relative_cost(m, w, Compression::W8PerChannel);
  EXPECT_GT(std::fabs(per_tensor), 5 * std::fabs(per_channel));
  EXPECT_LT(std::fabs(per_channel), 0.01);
}

// Scales the embeddings (the tied head) and the block weights of a random model so that its
// predictions are confident and depend on the MLPs: a near-uniform random model hides any error.
void sharpen(train::GptModel& m) {
  for (const auto& e : m.params().entries()) {
    const float factor = e.spec.name == "wte.weight" ? 20.0f : is_block_linear_weight(e.spec.name) ? 5.0f : 1.0f;
    for (int64_t i = 0; i < e.numel; ++i) m.params().values[static_cast<size_t>(e.offset + i)] *= factor;
  }
}

TEST(ExperimentCompression, PerTokenActivationQuantizationSuffersFromAnActivationOutlier) {
  train::GptModel m(tiny_config("softmax"), 1);
  m.params().initialize(9, 2);
  sharpen(m);
  const TokenWindows w = random_windows(4, 12, 24, 17);
  const double clean_w8a8 = relative_cost(m, w, Compression::W8A8);
  // A LayerNorm gain of 500 on one channel that the MLP's weights ignore (a zero column), as
  // massive activations meet near-zero weights in LLMs: every token's MLP input carries a massive
  // activation there, so its per-token int8 scale flattens the channels the MLP does read.
  tensor(m, "h.0.ln_2.weight")[7] = 500.0f;
  float* fc = tensor(m, "h.0.mlp.c_fc.weight");  // [64, 16]
  for (int64_t row = 0; row < 64; ++row) fc[row * 16 + 7] = 0.0f;
  const double outlier_w8 = relative_cost(m, w, Compression::W8PerChannel);
  const double outlier_w8a8 = relative_cost(m, w, Compression::W8A8);
  EXPECT_GT(std::fabs(outlier_w8a8), 10 * std::fabs(outlier_w8));
  EXPECT_GT(std::fabs(outlier_w8a8), 10 * std::fabs(clean_w8a8));
}

TEST(ExperimentCompression, NamesAndLabelsCoverEveryCompression) {
  ASSERT_EQ(all_compressions().size(), 5u);
  EXPECT_EQ(compression_name(Compression::W8A8), "ppl_w8a8");
  EXPECT_EQ(compression_label(Compression::Sparse50), "50% sparse");
}

}  // namespace
}  // namespace osc::experiment
