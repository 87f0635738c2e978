// Detection at the width of real models (issue 20), end to end through `outlierscope synth` and
// `outlierscope scan` with the default rules:
//  * a random bf16 model of LLaMA-2-7B's shape (3 layers) with massive activations planted by
//    tests/reference/plant_wide.py (two writer columns, two channels, five tokens in two inputs):
//    precision and recall 1 on the flagged entries, channels, tokens and writer columns, and on
//    the mlp_post entries;
//  * unplanted random models of every family at its 7B-preset width (2 layers): an empty summary.
// Slow (a few GB written): label "slow". The precision/recall printed here is docs/metrics.md §7.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "support/shared_data.h"

namespace osc {
namespace {

using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << path;
  return json::parse(f);
}

std::string ids_arg(const json& ids) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : ",") + id.dump();
  return s;
}

using Entry = std::tuple<int64_t, int64_t, int64_t, int64_t>;

// The four integer fields `keys` of `j` (e.g. layer, input, position, channel).
Entry entry(const json& j, std::array<const char*, 4> keys) {
  return {j[keys[0]].get<int64_t>(), j[keys[1]].get<int64_t>(), j[keys[2]].get<int64_t>(), j[keys[3]].get<int64_t>()};
}

struct Score {
  double precision = 0, recall = 0;
};

template <typename T>
Score score(const std::set<T>& found, const std::set<T>& planted) {
  size_t hit = 0;
  for (const auto& f : found) hit += planted.count(f);
  return {found.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(found.size()),
          planted.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(planted.size())};
}

template <typename T>
void expect_exact(const char* what, const std::set<T>& found, const std::set<T>& planted) {
  const Score s = score(found, planted);
  std::printf("[planted 7B width] %-16s found %3zu planted %3zu precision %.3f recall %.3f\n", what, found.size(),
              planted.size(), s.precision, s.recall);
  EXPECT_EQ(s.precision, 1.0) << what;
  EXPECT_EQ(s.recall, 1.0) << what;
}

void synth(const std::string& arch, int layers, const std::string& dir) {
  std::string output;
  const std::string cmd = test::cli_path() + " -q synth --arch " + arch + " --preset 7b --layers " +
                          std::to_string(layers) + " --dtype bf16 --max-shard-gb 100 --out " + dir;
  ASSERT_EQ(test::run_command(cmd, &output), 0) << output;
}

TEST(WideModels, PlantedMassiveActivationsAtLlama7bWidthAreFoundExactly) {
  const std::string dir = test::scratch_dir("wide_planted");
  const std::string model = dir + "/model";
  synth("llama", 3, model);
  test::run_reference("plant_wide.py", "--model " + model);
  const json planted = read_json(model + "/planted.json");
  std::string output;
  const std::string cmd = test::cli_path() + " -q scan " + model + " --no-default --ids " + ids_arg(planted["ids"][0]) +
                          " --ids " + ids_arg(planted["ids"][1]) + " --out " + dir + "/scan";
  ASSERT_EQ(test::run_command(cmd, &output), 0) << output;
  const json report = read_json(dir + "/scan/report.json");
  const json& resid = report["activations"]["sites"]["resid_post"];
  ASSERT_EQ(resid["outliers_left_out"], 0);

  std::set<Entry> entries, want_entries, post, want_post;
  std::set<int64_t> channels, want_channels, columns, want_columns;
  std::set<std::pair<int64_t, int64_t>> tokens, want_tokens;
  for (const auto& o : resid["outliers"]) {
    entries.insert(entry(o, {"layer", "input", "position", "channel"}));
    channels.insert(o["channel"].get<int64_t>());
    tokens.insert({o["input"].get<int64_t>(), o["position"].get<int64_t>()});
  }
  for (const auto& e : planted["entries"]) {
    want_entries.insert(entry(e, {"layer", "input", "position", "channel"}));
    want_channels.insert(e["channel"].get<int64_t>());
    want_tokens.insert({e["input"].get<int64_t>(), e["position"].get<int64_t>()});
  }
  for (const auto& o : report["activations"]["sites"]["mlp_post"]["outliers"])
    post.insert(entry(o, {"layer", "input", "position", "channel"}));
  for (const auto& e : planted["mlp_post_entries"]) want_post.insert(entry(e, {"layer", "input", "position", "column"}));
  // Writers: (input, position, channel, column) credited, against the planted writer of each entry.
  std::set<Entry> writers, want_writers;
  for (const auto& e : report["lifecycle"]["writers"]["entries"])
    for (const auto& w : e["writers"]) {
      writers.insert({e["input"].get<int64_t>(), e["position"].get<int64_t>(), e["channel"].get<int64_t>(),
                      w["column"].get<int64_t>()});
      columns.insert(w["column"].get<int64_t>());
    }
  for (const auto& w : planted["writers"]) {
    want_writers.insert(entry(w, {"input", "position", "channel", "column"}));
    want_columns.insert(w["column"].get<int64_t>());
  }
  expect_exact("resid entries", entries, want_entries);
  expect_exact("channels", channels, want_channels);
  expect_exact("tokens", tokens, want_tokens);
  expect_exact("writer columns", columns, want_columns);
  expect_exact("entry writers", writers, want_writers);
  expect_exact("mlp_post entries", post, want_post);
  const json& s = report["summary"];
  EXPECT_EQ(s["emergence_layer"], planted["emergence_layer"]);
  EXPECT_EQ(s["down_columns"].get<std::set<int64_t>>(), want_columns);
  for (const auto& t : s["outlier_tokens"]) EXPECT_FALSE(t["writers"].empty()) << t;
  for (const auto& c : resid["channels"]) EXPECT_TRUE(c["persistent"].get<bool>()) << c;
  std::printf("%s", output.c_str());
}

// Every family the engine scans, at its 7B preset's width, with random weights and nothing
// planted: no activation outliers at either site, no weight outliers, no sinks. One test per
// family (each writes and deletes a model of 1-2 GB).
class UnplantedWide : public ::testing::TestWithParam<std::string> {};

TEST_P(UnplantedWide, RandomModelAtRealWidthGivesAnEmptySummary) {
  const std::string arch = GetParam();
  const std::string dir = test::scratch_dir("wide_random_" + arch);
  synth(arch, 2, dir + "/model");
  std::string output;
  const std::string cmd = test::cli_path() + " -q scan " + dir + "/model --no-default --ids 1,17,300,4000,52,6,700,8000,9,10,11,1200,13,14,15,16" +
                          " --out " + dir + "/scan";
  ASSERT_EQ(test::run_command(cmd, &output), 0) << output;
  const json report = read_json(dir + "/scan/report.json");
  const json& s = report["summary"];
  std::printf("[random %s, d_model %lld, d_ff %lld] resid_post %s, mlp_post %s, sinks %zu, weight columns %zu\n",
              arch.c_str(), static_cast<long long>(report["model"]["d_model"].get<int64_t>()),
              static_cast<long long>(report["model"]["d_ff"].get<int64_t>()), s["sites"]["resid_post"]["n_outliers"].dump().c_str(),
              s["sites"]["mlp_post"]["n_outliers"].dump().c_str(), s["sinks"].size(), s["weight_outlier_columns"].size());
  EXPECT_TRUE(s["emergence_layer"].is_null());
  EXPECT_EQ(s["sites"]["resid_post"]["n_outliers"], 0);
  EXPECT_EQ(s["sites"]["mlp_post"]["n_outliers"], 0);
  EXPECT_TRUE(s["sinks"].empty()) << s["sinks"];
  EXPECT_TRUE(s["weight_outlier_columns"].empty()) << s["weight_outlier_columns"];
  EXPECT_TRUE(s["outlier_tokens"].empty());
  std::filesystem::remove_all(dir + "/model");
}

// mixtral: its 7B-width experts (8 x 3 x 14336 x 4096 per layer) are too large for this test; MoE scans are
// checked on a planted expert in analysis_moe_planted_test. falcon40b: the same family as falcon at twice the width.
INSTANTIATE_TEST_SUITE_P(Families, UnplantedWide,
                         ::testing::Values("llama", "mistral", "qwen2", "gpt2", "opt", "falcon", "mpt", "phi2", "gpt_neox"));

}  // namespace
}  // namespace osc
