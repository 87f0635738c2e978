// `outlierscope plot`: redraws figures and report.html from a saved report; a malformed or
// old-schema file gives one clear line and exit status 2.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/atomic_write.h"
#include "support/shared_data.h"

namespace {

std::string sample(const std::string& name) { return osc::test::source_path("tests/browser/" + name); }

int run_plot(const std::string& args, std::string* output) {
  return osc::test::run_command(osc::test::cli_path() + " plot " + args, output);
}

TEST(PlotCli, RedrawsFiguresAndHtmlFromASavedReport) {
  const std::string dir = osc::test::scratch_dir("plot_cli");
  std::string out;
  ASSERT_EQ(run_plot(sample("sample_report.json") + " --out " + dir + " --format png,svg --width 600 --height 450 -q", &out), 0)
      << out;
  for (const char* stem : {"landscape_resid_post_L2", "weight_down_L2", "attention_L3", "lifecycle_emergence"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + stem + ".png")) << stem;
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + stem + ".svg")) << stem;
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/report.html"));
  EXPECT_NE(out.find("wrote 38 figure files"), std::string::npos) << out;  // 19 figures x 2 formats
}

TEST(PlotCli, ComparisonDocument) {
  const std::string dir = osc::test::scratch_dir("plot_cli_comparison");
  std::string out;
  ASSERT_EQ(run_plot(sample("sample_comparison.json") + " --out " + dir + " --width 600 --height 450 -q", &out), 0) << out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/variants_landscapes.png"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/report.html"));
}

TEST(PlotCli, BadReportsExitWithStatusTwo) {
  const std::string dir = osc::test::scratch_dir("plot_cli_bad");
  osc::write_text_atomically(dir + "/truncated.json", "{\"schema\": \"outlierscope.report\", \"schema_ver");
  osc::write_text_atomically(dir + "/old.json", "{\"schema\": \"outlierscope.report\", \"schema_version\": 0}");
  osc::write_text_atomically(dir + "/other.json", "{\"name\": \"not a report\"}");
  struct Case {
    std::string args, expected;
  } cases[] = {
      {dir + "/truncated.json", "truncated.json: not valid JSON"},
      {dir + "/old.json", "old.json: schema_version: unsupported version 0"},
      {dir + "/other.json", "other.json: top level: no \"schema\" field"},
      {dir + "/missing.json", "missing.json"},
      {sample("sample_report.json") + " --out " + dir + "/x --format gif", "unknown figure format 'gif'"},
  };
  for (const auto& c : cases) {
    std::string out;
    EXPECT_EQ(run_plot(c.args + " -q", &out), 2) << c.args << "\n" << out;
    EXPECT_NE(out.find("outlierscope: error: "), std::string::npos) << out;
    EXPECT_NE(out.find(c.expected), std::string::npos) << out;
  }
}

}  // namespace
