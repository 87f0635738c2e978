// The engine computes every attention variant of `outlierscope train` (issue 13: their exports
// were silently run as softmax GPT-2). For each variant, one tiny trained-layout model is exported
// and run three ways on the same tokens: the trainer's forward (GptModel), the engine
// (Model::load + every hook point), and the independent PyTorch reference
// (tests/reference/variant_ref.py over the export). Engine vs trainer: 1e-5 of each tensor's
// largest magnitude on every hook the trainer keeps; engine vs PyTorch: the reference tolerance on
// every hook point, with the same set of hook names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/text_file.h"
#include "formats/safetensors.h"
#include "hooks/hook_set.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "model_reference_check.h"
#include "support/shared_data.h"
#include "train/export_hf.h"
#include "train/gpt_model.h"
#include "train/rng.h"

namespace osc {
namespace {

constexpr int64_t kTokens = 20;

const std::vector<std::string> kVariants = {"softmax", "fixed_bias", "ctx_bias",        "attn_bias", "ctx_scale",
                                            "sigmoid", "softmax1",   "clipped_softmax", "gated"};

std::vector<int32_t> token_ids(int64_t vocab) {
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < kTokens; ++t) ids.push_back(static_cast<int32_t>((t * 7 + 3) % vocab));
  return ids;
}

// Larger weights than nanoGPT's N(0, 0.02), so that attention is far from uniform and the variants
// differ: norm gains 1 + N(0, 0.1), vectors (biases, norm biases) N(0, 0.1), matrices N(0, 0.3).
void randomize(train::GptModel& m, uint64_t seed) {
  train::Rng rng(seed);
  for (const train::ParamEntry& e : m.params().entries()) {
    const std::string& name = e.spec.name;
    const bool norm_gain = name.find("ln_") != std::string::npos && name.find(".weight") != std::string::npos;
    const double mean = norm_gain ? 1.0 : 0.0, stddev = e.spec.shape.size() == 1 ? 0.1 : 0.3;
    for (int64_t i = 0; i < e.numel; ++i)
      m.params().values[static_cast<size_t>(e.offset + i)] = static_cast<float>(mean + stddev * rng.normal());
  }
}

// max |got - want| <= 1e-5 * max |want| over n values.
void expect_close(const std::string& name, const float* got, const float* want, int64_t n) {
  double scale = 0, worst = 0;
  int64_t at = 0;
  for (int64_t i = 0; i < n; ++i) {
    scale = std::max(scale, static_cast<double>(std::fabs(want[i])));
    const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (err > worst) worst = err, at = i;
  }
  EXPECT_LE(worst, 1e-5 * scale) << name << " at flat index " << at << ": got " << got[at] << ", want " << want[at];
}

const Tensor& captured(const HookSet& hooks, const std::string& name) {
  static const Tensor empty;
  auto it = hooks.captured().find(name);
  EXPECT_NE(it, hooks.captured().end()) << "engine has no hook " << name;
  return it == hooks.captured().end() ? empty : it->second;
}

// hook_normalized is the LayerNorm's value before its weight and bias (TransformerLens): from the
// trainer's saved statistics, (x - mean) * rstd for x [T, D].
std::vector<float> normalized(const std::vector<float>& x, const std::vector<float>& mean,
                              const std::vector<float>& rstd, int64_t T, int64_t D) {
  std::vector<float> out(static_cast<size_t>(T * D));
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < D; ++i) out[t * D + i] = (x[t * D + i] - mean[t]) * rstd[t];
  return out;
}

void compare_with_trainer(const train::GptModel& m, const HookSet& hooks, const std::vector<int32_t>& ids) {
  const train::GptConfig& c = m.config();
  const int64_t T = static_cast<int64_t>(ids.size()), D = c.dim, H = c.heads;
  auto check = [&](const std::string& name, const float* want, int64_t n) {
    const Tensor& got = captured(hooks, name);
    if (got.numel() != n) return ADD_FAILURE() << name << " has " << got.numel() << " values, expected " << n;
    expect_close(name, got.ptr(), want, n);
  };
  check("hook_logits", m.logits().data(), T * c.vocab_size);
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    const train::LayerActivations& a = m.layer(l);
    check(b + "hook_resid_pre", m.residual(l).data(), T * D);
    check(b + "ln1.hook_normalized", normalized(m.residual(l), a.ln1_mean, a.ln1_rstd, T, D).data(), T * D);
    for (int64_t part = 0; part < 3; ++part) {  // qkv [T, 3D] -> q, k, v [T, H, d_head]
      std::vector<float> slice;
      for (int64_t t = 0; t < T; ++t)
        slice.insert(slice.end(), a.qkv.begin() + t * 3 * D + part * D, a.qkv.begin() + t * 3 * D + (part + 1) * D);
      check(b + "attn.hook_" + std::string(1, "qkv"[part]), slice.data(), T * D);
    }
    std::vector<float> pattern(static_cast<size_t>(H * T * T), 0.0f);  // the trainer's saved rows -> weights
    for (int64_t r = 0; r < H * T; ++r)
      m.variant().effective_weights(a.attn.weights.data() + r * T, r % T + 1, pattern.data() + r * T);
    check(b + "attn.hook_pattern", pattern.data(), H * T * T);
    const VariantParts parts = m.variant().parts();
    if (has_extra_slot(parts)) check(b + "attn.hook_extra_weight", a.attn.weights_extra.data(), H * T);
    if (parts.gate) check(b + "attn.hook_gate", a.attn.gate.data(), T * H);
    check(b + "attn.hook_z", a.attn_y.data(), T * D);
    check(b + "hook_resid_mid", a.res_mid.data(), T * D);
    check(b + "ln2.hook_normalized", normalized(a.res_mid, a.ln2_mean, a.ln2_rstd, T, D).data(), T * D);
    check(b + "mlp.hook_post", a.fc_act.data(), T * 4 * D);
    check(b + "hook_resid_post", m.residual(l + 1).data(), T * D);
  }
}

std::string ids_arg(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

class Variants : public ::testing::TestWithParam<std::string> {
 protected:
  // Exports a randomized model of the variant (gated without biases: its gate has no bias tensor).
  void SetUp() override {
    config_.vocab_size = 48, config_.context = 24, config_.layers = 2, config_.heads = 4, config_.dim = 32;
    config_.bias = GetParam() != "gated";
    config_.variant = GetParam();
    model_ = std::make_unique<train::GptModel>(config_, 1);
    model_->params().initialize(5, config_.layers);
    randomize(*model_, 11);
    dir_ = test::scratch_dir("model_variants_" + GetParam());
    train::export_hf_gpt2(*model_, dir_, -1, -1);
  }
  train::GptConfig config_;
  std::unique_ptr<train::GptModel> model_;
  std::string dir_;
};

TEST_P(Variants, EngineEqualsTrainerAndPyTorchOnEveryHook) {
  const std::vector<int32_t> ids = token_ids(config_.vocab_size);
  model_->forward(ids.data(), ids.data(), 1, kTokens, 0.0f);
  const Model engine = Model::load(dir_);
  EXPECT_EQ(engine.config().attention_variant, GetParam());
  HookSet hooks;
  hooks.capture_all();
  engine.forward(ids, hooks);
  compare_with_trainer(*model_, hooks, ids);

  const std::string expected = dir_ + "/expected.safetensors";
  test::run_reference("variant_ref.py", "--model " + dir_ + " --ids " + ids_arg(ids) + " --out " + expected);
  const SafetensorsContents reference = read_safetensors(expected);
  size_t compared = 0;
  for (const auto& [name, view] : reference.tensors) {
    if (name == "input_ids") continue;
    test::expect_close_to_reference(name, captured(hooks, name), view);
    ++compared;
  }
  EXPECT_EQ(compared, hooks.captured().size()) << "the engine has hook points the reference does not";
  EXPECT_EQ(hooks.captured_order(), engine.hook_names(true)) << "the pass and hook_names() disagree";
}

// `generate` runs the variant incrementally: 12 tokens, then one at a time, as the full pass.
TEST_P(Variants, IncrementalPassEqualsTheFullPass) {
  const std::vector<int32_t> ids = token_ids(config_.vocab_size);
  const Model engine = Model::load(dir_);
  const Tensor full = engine.forward(ids);
  KvCache cache(engine.config());
  std::vector<float> logits = engine.forward(std::vector<int32_t>(ids.begin(), ids.begin() + 12), cache).data;
  for (size_t t = 12; t < ids.size(); ++t) {
    const Tensor step = engine.forward({ids[t]}, cache);
    logits.insert(logits.end(), step.data.begin(), step.data.end());
  }
  ASSERT_EQ(logits.size(), full.data.size());
  expect_close("incremental logits", logits.data(), full.data.data(), full.numel());
}

INSTANTIATE_TEST_SUITE_P(AllVariants, Variants, ::testing::ValuesIn(kVariants),
                         [](const auto& info) { return info.param; });

std::string load_error(const std::string& dir) {
  try {
    Model::load(dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Removing the variant's tensors, or the config key, is an error rather than a softmax model.
TEST(VariantExport, MissingTensorsOrKeyAreErrors) {
  train::GptConfig c;
  c.vocab_size = 16, c.context = 8, c.layers = 1, c.heads = 2, c.dim = 8, c.variant = "attn_bias";
  train::GptModel m(c, 1);
  m.params().initialize(3, c.layers);
  const std::string dir = test::scratch_dir("model_variants_errors");
  train::export_hf_gpt2(m, dir, -1, -1);
  auto config = nlohmann::json::parse(read_text_file(dir + "/config.json"));
  config.erase("outlierscope_attention_variant");
  write_text_atomically(dir + "/config.json", config.dump(2));
  EXPECT_NE(load_error(dir).find("2 tensor(s) the config does not account for: 'h.0.attn.k_extra', 'h.0.attn.v_extra'"),
            std::string::npos)
      << load_error(dir);
  config["outlierscope_attention_variant"] = "gated";
  write_text_atomically(dir + "/config.json", config.dump(2));
  EXPECT_NE(load_error(dir).find("tensor 'h.0.attn.gate.weight' not found"), std::string::npos) << load_error(dir);
  config["outlierscope_attention_variant"] = "nonsense";
  write_text_atomically(dir + "/config.json", config.dump(2));
  EXPECT_NE(load_error(dir).find("unknown outlierscope_attention_variant 'nonsense'"), std::string::npos)
      << load_error(dir);
}

// `scan` on an export runs on the variant (it needs no tokenizer with --ids).
TEST(VariantExport, ScanRuns) {
  train::GptConfig c;
  c.vocab_size = 16, c.context = 8, c.layers = 2, c.heads = 2, c.dim = 8, c.variant = "ctx_scale";
  train::GptModel m(c, 1);
  m.params().initialize(3, c.layers);
  const std::string dir = test::scratch_dir("model_variants_scan");
  train::export_hf_gpt2(m, dir + "/export", -1, -1);
  std::string out;
  EXPECT_EQ(test::run_command(test::cli_path() + " scan " + dir + "/export --ids 1,2,3,4,5,6 --no-default --out " + dir +
                                  "/scan 2>&1",
                              &out),
            0)
      << out;
}

}  // namespace
}  // namespace osc
