// The KV cache (model/kv_cache.h): for every architecture of the PyTorch-oracle tests
// (tests/reference/gen_model.py, f32), a 9-token input run as 5 + 1 + 1 + 1 + 1 cached passes gives
// the full pass's logits row by row (1e-5 relative, same argmax), and both match the oracle. The
// cached passes' hooks cover the new tokens only and equal the oracle's rows (attention patterns
// [H, T_new, T_total]); Mistral's sliding window is crossed at 24 tokens; the context check counts
// cached tokens; and greedy `generate` on stories260K gives the text of the uncached program.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "formats/safetensors.h"
#include "hooks/hook_set.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model_reference_check.h"
#include "support/shared_data.h"

namespace osc {
namespace {

// A tiny random oracle model of `arch` in f32 with expected_T{n}.safetensors for each length.
std::string oracle_model(const std::string& arch, const std::string& lengths) {
  const std::string dir = test::scratch_dir("kv_cache_" + arch);
  test::run_reference("gen_model.py", "--arch " + arch + " --dtype f32 --out " + dir + " --lengths " + lengths);
  return dir;
}

// Runs `ids` through a fresh cache in chunks of the given sizes; returns the logits rows stacked
// [T, vocab].
Tensor cached_logits(const Model& m, const std::vector<int32_t>& ids, const std::vector<int64_t>& chunks) {
  KvCache cache(m.config());
  const int64_t V = m.config().vocab_size;
  Tensor all({static_cast<int64_t>(ids.size()), V});
  int64_t done = 0;
  for (int64_t n : chunks) {
    const std::vector<int32_t> part(ids.begin() + done, ids.begin() + done + n);
    const Tensor logits = m.forward(part, cache);
    EXPECT_EQ(logits.shape, (Shape{n, V}));
    std::copy(logits.data.begin(), logits.data.end(), all.data.begin() + done * V);
    done += n;
    EXPECT_EQ(cache.length(), done);
  }
  return all;
}

int64_t argmax(const float* row, int64_t n) { return std::max_element(row, row + n) - row; }

// Row by row: |got - want| <= 1e-5 · (|want| + 1) and the same argmax.
void expect_rows_equal(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape, want.shape);
  const int64_t V = want.shape[1];
  int64_t argmax_mismatches = 0;
  for (int64_t t = 0; t < want.shape[0]; ++t) {
    const float* g = got.ptr() + t * V;
    const float* w = want.ptr() + t * V;
    double worst = 0;
    for (int64_t v = 0; v < V; ++v) worst = std::max(worst, std::fabs(g[v] - w[v]) / (std::fabs(w[v]) + 1.0));
    EXPECT_LE(worst, 1e-5) << "row " << t;
    argmax_mismatches += argmax(g, V) != argmax(w, V);
  }
  EXPECT_EQ(argmax_mismatches, 0);
}

std::vector<int64_t> five_then_ones(int64_t total) {
  std::vector<int64_t> chunks{5};
  for (int64_t t = 5; t < total; ++t) chunks.push_back(1);
  return chunks;
}

class KvCacheReference : public ::testing::TestWithParam<std::string> {};

TEST_P(KvCacheReference, IncrementalLogitsEqualTheFullPass) {
  const std::string dir = oracle_model(GetParam(), "9");
  if (HasFatalFailure()) return;
  const Model model = Model::load(dir);
  const SafetensorsContents expected = read_safetensors(dir + "/expected_T9.safetensors");
  const std::vector<int32_t> ids = test::reference_input_ids(expected.tensors.get("input_ids", dir));
  const Tensor full = model.forward(ids);
  test::expect_close_to_reference("full-pass logits", full, expected.tensors.get("hook_logits", dir));
  const Tensor cached = cached_logits(model, ids, five_then_ones(9));
  expect_rows_equal(cached, full);
  test::expect_close_to_reference("cached logits", cached, expected.tensors.get("hook_logits", dir));
}

INSTANTIATE_TEST_SUITE_P(Archs, KvCacheReference,
                         ::testing::Values("llama", "llama3", "mistral", "mixtral", "qwen2", "qwen2sw", "gpt2", "opt",
                                           "falcon7b", "falcon40b", "falconrw", "mpt", "phi2", "phi2qk", "gpt_neox"));

// Rows [first, first + count) of the first dimension of an oracle tensor [T, ...], or of the
// second for attention matrices [H, T, T].
Tensor oracle_rows(const TensorView& view, int64_t first, int64_t count, bool per_head) {
  const std::vector<float> all = view.to_f32();
  Shape shape = view.shape;
  const int64_t outer = per_head ? shape[0] : 1, dim = per_head ? 1 : 0;
  const int64_t inner = shape_numel(shape) / outer / shape[dim];
  const int64_t rows = shape[dim];
  shape[dim] = count;
  Tensor out(shape);
  for (int64_t o = 0; o < outer; ++o)
    std::copy_n(all.begin() + (o * rows + first) * inner, count * inner, out.data.begin() + o * count * inner);
  return out;
}

// 8 tokens into the cache, then the 9th with every hook captured: shapes over the one new token
// (attention matrices [H, 1, 9]) and values equal to row 8 of the oracle's 9-token pass.
void check_hooks_of_last_step(const std::string& arch) {
  const std::string dir = oracle_model(arch, "9");
  if (::testing::Test::HasFatalFailure()) return;
  const Model model = Model::load(dir);
  const SafetensorsContents expected = read_safetensors(dir + "/expected_T9.safetensors");
  const std::vector<int32_t> ids = test::reference_input_ids(expected.tensors.get("input_ids", dir));
  KvCache cache(model.config());
  model.forward(std::vector<int32_t>(ids.begin(), ids.end() - 1), cache);
  HookSet hooks;
  hooks.capture_all();
  model.forward({ids.back()}, cache, hooks);
  ASSERT_EQ(hooks.captured().size() + 1, expected.tensors.size());  // the oracle file adds input_ids
  for (const auto& [name, got] : hooks.captured()) {
    const bool matrix = name.ends_with("hook_attn_scores") || name.ends_with("hook_pattern");
    const Tensor want = oracle_rows(expected.tensors.get(name, dir), 8, 1, matrix);
    test::expect_close_to_reference(name, got, want.view());
  }
}

TEST(KvCacheHooks, LastStepHooksAreTheOraclesLastRowLlama) { check_hooks_of_last_step("llama"); }
TEST(KvCacheHooks, LastStepHooksAreTheOraclesLastRowGpt2) { check_hooks_of_last_step("gpt2"); }
TEST(KvCacheHooks, LastStepHooksAreTheOraclesLastRowMpt) { check_hooks_of_last_step("mpt"); }

TEST(KvCacheWindow, MistralCrossesItsSlidingWindow) {
  const std::string dir = oracle_model("mistral", "24");  // window 16
  if (HasFatalFailure()) return;
  const Model model = Model::load(dir);
  ASSERT_EQ(model.config().sliding_window.value_or(0), 16);
  const SafetensorsContents expected = read_safetensors(dir + "/expected_T24.safetensors");
  const std::vector<int32_t> ids = test::reference_input_ids(expected.tensors.get("input_ids", dir));
  const Tensor cached = cached_logits(model, ids, five_then_ones(24));
  expect_rows_equal(cached, model.forward(ids));
  test::expect_close_to_reference("cached logits", cached, expected.tensors.get("hook_logits", dir));
}

TEST(KvCacheErrors, ContextCountsCachedTokensAndAFailedPassKeepsTheCache) {
  const std::string dir = oracle_model("llama", "9");  // context 256
  if (HasFatalFailure()) return;
  const Model model = Model::load(dir);
  KvCache cache(model.config());
  model.forward(std::vector<int32_t>(250, 3), cache);
  try {
    model.forward(std::vector<int32_t>(7, 3), cache);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("the input has 257 tokens (250 of them cached) but the model's context is 256"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(model.forward({3, 9999}, cache), Error);  // outside the vocabulary
  EXPECT_EQ(cache.length(), 250);
  EXPECT_EQ(model.forward(std::vector<int32_t>(6, 3), cache).shape[0], 6);
  EXPECT_EQ(cache.length(), 256);
}

TEST(KvCacheErrors, CacheOfAnotherShapeIsRefused) {
  const std::string dir = oracle_model("llama", "9");
  if (HasFatalFailure()) return;
  const Model model = Model::load(dir);
  ModelConfig more_layers = model.config();
  more_layers.n_layers += 1;
  KvCache deeper(more_layers);
  EXPECT_THROW(model.forward({1, 2}, deeper), Error);
  // Same floats per position (2 KV heads of 16 = 1 of 32), another layout: refused too.
  ModelConfig regrouped = model.config();
  ASSERT_EQ(regrouped.n_kv_heads, 2);
  regrouped.n_kv_heads = 1;
  regrouped.d_head *= 2;
  KvCache other_layout(regrouped);
  EXPECT_THROW(model.forward({1, 2}, other_layout), Error);
}

// Observed from the program before the cache (commit 1d7ed52, which reran the whole prefix at each
// step) with the command below: 5 prompt tokens plus 123, where the 128-token context stops it.
const char* kStoriesGreedy =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she "
    "saw a big, red ball. She wanted to play with it, but it was too high.\nLily's mom said, \"Lily, let's go to "
    "the park.\" Lily was sad and didn't know what to do. She said, \"I want to play with your ball, but I can't "
    "fi\n";

TEST(KvCacheGenerate, StoriesGreedyTextIsTheUncachedText) {
  const std::string gguf = test::shared_path("testdata/stories260K/stories260K.gguf");
  OSC_REQUIRE_SHARED(gguf);
  for (const char* flags : {"", " --no-cache"}) {
    std::string out;
    // stdout only: the token counts and speed go to stderr.
    const std::string cmd = test::cli_path() + " -q generate " + gguf + " --prompt 'Once upon a time' -n 200" + flags;
    ASSERT_EQ(test::run_command("(" + cmd + " 2>/dev/null)", &out), 0) << out;
    EXPECT_EQ(out, kStoriesGreedy) << flags;
  }
}

}  // namespace
}  // namespace osc
