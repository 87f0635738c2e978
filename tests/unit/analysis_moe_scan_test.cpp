// `scan` on a mixture of experts (issue 13: `synth --arch mixtral` then `scan` failed with
// "blocks.0.mlp.hook_post: hook was not captured"). The values of the MoE hook points are checked
// against the PyTorch reference in model_llama_test (mixtral); here every scan part runs on a
// synthesized Mixtral and reads the combined mlp.hook_post [T, E * d_ff]. The numbers of the MoE
// weight scan and writer attribution are checked in analysis_moe_planted_test.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/text_file.h"
#include "support/shared_data.h"

namespace osc {
namespace {

int cli(const std::string& args, std::string* out) {
  return test::run_command(test::cli_path() + " " + args + " 2>&1", out);
}

TEST(MoeScan, EveryScanPartRunsOnMixtral) {
  const std::string tokenizer = test::shared_path("testdata/stories260K/hf/tokenizer.json");
  OSC_REQUIRE_SHARED(tokenizer);
  const std::string dir = test::scratch_dir("analysis_moe_scan"), model = dir + "/mixtral";
  std::string out;
  ASSERT_EQ(cli("synth --arch mixtral --dtype f32 --out " + model, &out), 0) << out;  // vocab 512, as stories260K
  std::filesystem::copy_file(tokenizer, model + "/tokenizer.json");
  const std::string text = dir + "/text.txt";
  std::string story;
  for (int i = 0; i < 8; ++i) story += "Once upon a time there was a little girl named Lily. She loved to play outside.\n";
  write_text_atomically(text, story);

  ASSERT_EQ(cli("scan " + model + " --file " + text + " --ablate-file " + text + " --ablate-ctx 32 --out " + dir + "/all",
                &out),
            0)
      << out;
  const auto report = nlohmann::json::parse(read_text_file(dir + "/all/report.json"));
  EXPECT_TRUE(report.contains("lifecycle")) << report.dump().substr(0, 400);
  // The weight scan reads every expert's matrices (and the router), as modules experts.{e}.*.
  const auto config = nlohmann::json::parse(read_text_file(model + "/config.json"));
  const int64_t experts = config["num_local_experts"], d_ff = config["intermediate_size"];
  const auto& modules = report["weights"]["per_layer"][0]["modules"];
  for (const char* kind : {"gate", "up", "down"})
    EXPECT_TRUE(modules.contains("experts." + std::to_string(experts - 1) + "." + kind)) << modules.dump().substr(0, 400);
  EXPECT_TRUE(modules.contains("router"));
  EXPECT_EQ(report["summary"].dump().find("not part of the weight scan"), std::string::npos);
  for (const char* part : {"weights", "attention", "lifecycle"})
    EXPECT_EQ(cli("scan " + std::string(part) + " " + model + " --file " + text + " --out " + dir + "/" + part, &out), 0)
        << part << ": " << out;
  EXPECT_EQ(cli("scan ablate " + model + " --file " + text + " --act-rule relative --act-k 3 --ablate-ctx 32 --out " + dir + "/ablate", &out),
            0)
      << out;

  ASSERT_EQ(cli("run " + model + " --text 'Once upon a time' --hooks 'blocks.0.mlp.*hook_post'", &out), 0) << out;
  EXPECT_NE(out.find("blocks.0.mlp.hook_post"), std::string::npos) << out;
  EXPECT_NE(out.find(", " + std::to_string(experts * d_ff) + "]"), std::string::npos) << out;
  EXPECT_NE(out.find("blocks.0.mlp.experts." + std::to_string(experts - 1) + ".hook_post"), std::string::npos) << out;
}

}  // namespace
}  // namespace osc
