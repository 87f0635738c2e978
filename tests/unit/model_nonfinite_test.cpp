// Non-finite values are caught where they first appear (issue 13): NaN weights made `scan` report
// "attention sinks at positions 0;1;...;23" and the run table print `max |x| 0`; a RoPE scaling
// factor of 0 made every activation NaN with exit 0.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/text_file.h"
#include "formats/safetensors.h"
#include "hooks/finite_check.h"
#include "support/shared_data.h"

namespace osc {
namespace {

int cli(const std::string& args, std::string* out) {
  return test::run_command(test::cli_path() + " " + args + " 2>&1", out);
}

// Rewrites DIR/model.safetensors with entry `index` of tensor `name` (stored f32) set to `value`.
void poison_tensor(const std::string& dir, const std::string& name, int64_t index, float value) {
  const std::string file = dir + "/model.safetensors";
  std::vector<float> edited;
  {
    const SafetensorsContents all = read_safetensors(file);
    std::vector<std::pair<std::string, TensorView>> tensors(all.tensors.begin(), all.tensors.end());
    for (auto& [n, view] : tensors) {
      if (n != name) continue;
      edited = view.to_f32();
      edited[static_cast<size_t>(index)] = value;
      view.data = edited.data();
      view.owner.reset();
    }
    ASSERT_FALSE(edited.empty()) << name;
    write_safetensors(file + ".new", tensors);
  }
  std::rename((file + ".new").c_str(), file.c_str());
}

class NonFinite : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratch_dir("model_nonfinite_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    test::run_reference("gen_model.py", "--arch llama --out " + dir_ + " --lengths 9");
  }
  void poison(const std::string& name, int64_t index, float value) { poison_tensor(dir_, name, index, value); }
  std::string dir_;
};

TEST_F(NonFinite, ScanNamesTheFirstHookTokenAndChannel) {
  // ln1.hook_normalized comes before the norm's weight (docs/hooks.md): the NaN gain first shows
  // in hook_q, whose every channel reads channel 4 of the norm's output.
  poison("model.layers.1.input_layernorm.weight", 4, std::numeric_limits<float>::quiet_NaN());
  std::string out;
  EXPECT_EQ(cli("scan " + dir_ + " --ids 1,2,3,4,5,6,7,8 --no-default --out " + dir_ + "/scan", &out), 2) << out;
  EXPECT_NE(out.find("blocks.1.attn.hook_q: first non-finite value (nan) at token 0, channel 0"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("sinks"), std::string::npos) << out;
}

TEST_F(NonFinite, ScanAttentionNamesTheProjectionOutput) {
  // q_proj row 5, input column 3: hook_q is NaN at channel 5 (head 0) of every token.
  poison("model.layers.1.self_attn.q_proj.weight", 5 * 64 + 3, std::numeric_limits<float>::quiet_NaN());
  std::string out;
  EXPECT_EQ(cli("scan attention " + dir_ + " --ids 1,2,3,4,5,6,7,8 --no-default --out " + dir_ + "/scan", &out), 2)
      << out;
  EXPECT_NE(out.find("blocks.1.attn.hook_q: first non-finite value (nan) at token 0, channel 5"), std::string::npos)
      << out;
}

TEST_F(NonFinite, ScanWeightsNamesTheWeight) {
  poison("model.layers.0.mlp.down_proj.weight", 7, std::numeric_limits<float>::infinity());
  std::string out;
  EXPECT_EQ(cli("scan weights " + dir_ + " --out " + dir_ + "/scan", &out), 2) << out;
  EXPECT_NE(out.find("non-finite weight (inf) at row 0, column 7"), std::string::npos) << out;
}

// `run` needs a tokenizer: a copy of the shared stories260K HF folder.
TEST(NonFiniteRun, TablePrintsNanAndCheckFiniteFails) {
  const std::string source = test::shared_path("testdata/stories260K/hf");
  OSC_REQUIRE_SHARED(source);
  const std::string dir = test::scratch_dir("model_nonfinite_run") + "/hf";
  std::filesystem::copy(source, dir);
  poison_tensor(dir, "model.layers.0.input_layernorm.weight", 2, std::numeric_limits<float>::quiet_NaN());
  std::string out;
  ASSERT_EQ(cli("run " + dir + " --text 'Once upon a time' --hooks blocks.0.attn.hook_v", &out), 0) << out;
  EXPECT_NE(out.find("nan"), std::string::npos) << out;
  EXPECT_EQ(cli("run " + dir + " --text 'Once upon a time' --check-finite", &out), 2) << out;
  EXPECT_NE(out.find("blocks.0.attn.hook_q: first non-finite value (nan) at token 0, channel 0"), std::string::npos)
      << out;
}

// perplexity: a NaN in the model gives no "perplexity nan" with exit 0; --check-finite names the
// window, hook, token and channel, as `run --check-finite` does.
TEST(NonFinitePerplexity, RefusedAndLocatedWithCheckFinite) {
  const std::string source = test::shared_path("testdata/stories260K/hf");
  OSC_REQUIRE_SHARED(source);
  const std::string dir = test::scratch_dir("model_nonfinite_perplexity") + "/hf", text = dir + "/../text.txt";
  std::filesystem::copy(source, dir);
  write_text_atomically(text, "Once upon a time there was a little girl named Lily. She loved to play outside in the sun.\n");
  std::string out;
  ASSERT_EQ(cli("perplexity " + dir + " --file " + text + " --ctx 8 --check-finite", &out), 0) << out;
  poison_tensor(dir, "model.norm.weight", 2, std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(cli("perplexity " + dir + " --file " + text + " --ctx 8", &out), 2) << out;
  EXPECT_NE(out.find("the perplexity is not finite"), std::string::npos) << out;
  EXPECT_EQ(cli("perplexity " + dir + " --file " + text + " --ctx 8 --check-finite", &out), 2) << out;
  // ln_final.hook_normalized is taken before the norm's weight (TransformerLens), so a NaN in that
  // weight first shows in the logits, every channel of which it reaches.
  EXPECT_NE(out.find("window of text tokens 0..7: hook_logits: first non-finite value (nan) at token 0, channel 0"),
            std::string::npos)
      << out;
}

TEST_F(NonFinite, RopeScalingFactorZeroIsAConfigError) {
  auto config = nlohmann::json::parse(read_text_file(dir_ + "/config.json"));
  config["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 0.0}};
  write_text_atomically(dir_ + "/config.json", config.dump(2));
  std::string out;
  EXPECT_EQ(cli("scan " + dir_ + " --ids 1,2,3 --no-default --out " + dir_ + "/scan", &out), 2) << out;
  EXPECT_NE(out.find("rope_scaling factor 0.000000 must be positive"), std::string::npos) << out;
}

TEST(FiniteCheck, MaskedScoresAreAllowedButNanIsLocated) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> scores = {1, -inf, 2, 3};  // [H=1, T=2, T=2]
  EXPECT_FALSE(first_non_finite("blocks.0.attn.hook_attn_scores", scores.data(), {1, 2, 2}));
  EXPECT_EQ(*first_non_finite("blocks.0.attn.hook_pattern", scores.data(), {1, 2, 2}),
            "first non-finite value (-inf) at head 0, query 0, key 1");
  std::vector<float> acts = {0, 1, 2, 3, 4, std::nanf("")};  // [T=2, 3]
  EXPECT_EQ(*first_non_finite("blocks.0.hook_resid_post", acts.data(), {2, 3}),
            "first non-finite value (nan) at token 1, channel 2");
}

}  // namespace
}  // namespace osc
