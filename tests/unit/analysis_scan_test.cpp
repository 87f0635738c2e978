// `outlierscope scan` end to end: on checkpoints with planted outliers (the report names the
// planted layer, channel, column, tokens and sink; its statistics equal numpy's on the PyTorch
// reference forward of the same checkpoint) and on the real stories260K model (with ablation).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "support/shared_data.h"

namespace osc {
namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << path;
  return nlohmann::json::parse(f);
}

std::string ids_arg(const nlohmann::json& ids) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : ",") + id.dump();
  return s;
}

class ScanPlanted : public ::testing::TestWithParam<std::string> {};

TEST_P(ScanPlanted, ReportNamesThePlantedOutliers) {
  const std::string dir = test::scratch_dir("scan_planted_" + GetParam());
  test::run_reference("plant_outliers.py", "--arch " + GetParam() + " --out " + dir);
  test::run_reference("analysis_ref.py", "stats --hooks " + dir + "/hooks_0.safetensors," + dir +
                                             "/hooks_1.safetensors --out " + dir + "/expected.json");
  const nlohmann::json planted = read_json(dir + "/planted.json");
  std::string output;
  const std::string cmd = test::cli_path() + " -q scan " + dir + " --no-default --ids " +
                          ids_arg(planted["inputs"][0]["ids"]) + " --ids " + ids_arg(planted["inputs"][1]["ids"]) +
                          " --out " + dir + "/scan";
  ASSERT_EQ(test::run_command(cmd, &output), 0) << output;
  const nlohmann::json report = read_json(dir + "/scan/report.json");
  const nlohmann::json expected = read_json(dir + "/expected.json");
  const nlohmann::json& s = report["summary"];
  EXPECT_EQ(s["emergence_layer"], planted["emergence_layer"]);
  EXPECT_EQ(s["outlier_channels"], nlohmann::json::array({planted["channel"]}));
  EXPECT_EQ(s["down_columns"], nlohmann::json::array({planted["column"]}));
  std::set<int64_t> tokens;  // of input 0 (the summary lists every input's)
  for (const auto& t : s["outlier_tokens"])
    if (t["input"] == 0) tokens.insert(t["position"].get<int64_t>());
  EXPECT_EQ(tokens, planted["inputs"][0]["positions"].get<std::set<int64_t>>());
  EXPECT_EQ(s["sink_positions"], planted["inputs"][0]["positions"]);
  for (const auto& h : s["sink_heads"]) EXPECT_EQ(h["layer"], planted["sink_layer"]);
  EXPECT_EQ(s["sink_heads"].size(), planted["n_heads"].get<size_t>());
  EXPECT_EQ(s["disappearance_layer"], planted["disappearance_layer"]);
  EXPECT_EQ(report["weights"]["landscape"]["layer"], planted["emergence_layer"]);
  EXPECT_EQ(report["weights"]["landscape"]["highlight_columns"][0], planted["column"]);
  // The engine's activations agree with the PyTorch reference's to float precision.
  const auto& pl = report["activations"]["sites"]["resid_post"]["per_layer"];
  for (size_t l = 0; l < pl["top1"].size(); ++l) {
    const double want = expected["resid_post"]["top1"][l].get<double>();
    EXPECT_NEAR(pl["top1"][l].get<double>(), want, 1e-3 * want);
    EXPECT_NEAR(pl["median"][l].get<double>(), expected["resid_post"]["median"][l].get<double>(), 1e-3);
    EXPECT_EQ(pl["n_outliers"][l], expected["resid_post"]["n_outliers"][l]);
  }
  EXPECT_EQ(report["attention"]["sink_positions"], expected["attention"]["sink_positions"]);
  EXPECT_NE(output.find("emerge at layer"), std::string::npos) << output;
}

INSTANTIATE_TEST_SUITE_P(Archs, ScanPlanted, ::testing::Values("llama", "gpt2"));

TEST(ScanCli, MissingOutAndBadIdsAreUsageErrors) {
  std::string output;
  EXPECT_EQ(test::run_command(test::cli_path() + " scan /nonexistent", &output), 2) << output;
  EXPECT_EQ(test::run_command(test::cli_path() + " scan /nonexistent --out /tmp/x", &output), 2) << output;
  // The gap rule is for activations only; a gap below 1 would flag everything over the floor.
  EXPECT_EQ(test::run_command(test::cli_path() + " scan weights --weight-rule gap --out /tmp/x", &output), 2) << output;
  EXPECT_NE(output.find("--weight-rule"), std::string::npos) << output;
  EXPECT_EQ(test::run_command(test::cli_path() + " scan --act-gap 0.5 --out /tmp/x", &output), 2) << output;
  EXPECT_NE(output.find("--act-gap"), std::string::npos) << output;
}

TEST(ScanStories, RunsEndToEndWithAblation) {
  const std::string model = test::shared_path("testdata/stories260K/stories260K.gguf");
  const std::string corpus = test::shared_path("corpora/tinyshakespeare/input.txt");
  OSC_REQUIRE_SHARED(model);
  OSC_REQUIRE_SHARED(corpus);
  const std::string dir = test::scratch_dir("scan_stories");
  std::string output;
  const std::string cmd = test::cli_path() + " -q scan " + model + " --text \"Once upon a time, there was a little girl.\"" +
                          " --act-rule relative --act-k 10 --ablate-file " + corpus + " --ablate-ctx 128 --ablate-windows 4 --out " + dir;
  ASSERT_EQ(test::run_command(cmd, &output), 0) << output;
  const nlohmann::json report = read_json(dir + "/report.json");
  EXPECT_EQ(report["schema_version"], 2);
  EXPECT_EQ(report["model"]["n_layers"], 5);
  EXPECT_EQ(report["inputs"].size(), 2u);
  EXPECT_EQ(report["weights"]["per_layer"].size(), 5u);
  EXPECT_EQ(report["activations"]["sites"]["resid_post"]["per_layer"]["top1"].size(), 5u);
  EXPECT_EQ(report["attention"]["n_heads"], 8);
  const auto& ppl = report["ablation"]["perplexity"];
  ASSERT_TRUE(ppl["original"].is_number()) << ppl;
  EXPECT_GT(ppl["original"].get<double>(), 1.0);
  EXPECT_EQ(report["ablation"]["n_tokens"], 4 * 127);
}

}  // namespace
}  // namespace osc
