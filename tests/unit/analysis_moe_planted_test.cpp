// A Mixtral checkpoint with an outlier planted in one expert (tests/reference/plant_outliers.py
// --arch mixtral: expert 2 of layer 2, its down column 70 writes channel 37 on two tokens, routed
// with weight ~0.75): `scan` on the engine must name that expert's column in the weight scan and
// credit the massive activation to (layer, expert, column) with the routing weight included, and
// every number must equal tests/reference/analysis_ref.py's, computed from the PyTorch reference
// forward's hooks and the checkpoint, not from the C++ code.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/text_file.h"
#include "support/shared_data.h"

namespace osc {
namespace {

using nlohmann::json;

int cli(const std::string& args, std::string* out) {
  return test::run_command(test::cli_path() + " " + args + " 2>&1", out);
}

struct PlantedMoe {
  std::string dir;
  json planted, expected, report;
};

const PlantedMoe& planted_moe() {
  static const PlantedMoe p = [] {
    PlantedMoe m;
    m.dir = test::scratch_dir("analysis_moe_planted");
    test::run_reference("plant_outliers.py", "--arch mixtral --out " + m.dir);
    test::run_reference("analysis_ref.py", "stats --hooks " + m.dir + "/hooks_0.safetensors --weights " + m.dir +
                                               "/model.safetensors --out " + m.dir + "/expected.json");
    m.planted = json::parse(read_text_file(m.dir + "/planted.json"));
    m.expected = json::parse(read_text_file(m.dir + "/expected.json"));
    std::string ids, out;
    for (const auto& id : m.planted["inputs"][0]["ids"]) ids += (ids.empty() ? "" : ",") + id.dump();
    EXPECT_EQ(cli("scan " + m.dir + " --ids " + ids + " --no-default --out " + m.dir + "/scan", &out), 0) << out;
    m.report = json::parse(read_text_file(m.dir + "/scan/report.json"));
    return m;
  }();
  return p;
}

TEST(MoePlanted, WeightScanNamesThePlantedExpertColumn) {
  const PlantedMoe& p = planted_moe();
  const int64_t layer = p.planted["emergence_layer"], expert = p.planted["expert"], column = p.planted["column"];
  const std::string module = "experts." + std::to_string(expert) + ".down";
  const json& w = p.report["weights"];
  bool listed = false;
  for (const auto& o : w["outliers"])
    listed |= o["layer"] == layer && o["module"] == module && o["expert"] == expert && o["index"] == column;
  EXPECT_TRUE(listed) << w["outliers"];
  bool summarised = false;
  for (const auto& c : p.report["summary"]["weight_outlier_columns"])
    summarised |= c["layer"] == layer && c["expert"] == expert && c["column"] == column;
  EXPECT_TRUE(summarised) << p.report["summary"]["weight_outlier_columns"];
  const std::string sentence = p.report["summary"].dump();
  EXPECT_NE(sentence.find("column 70 of expert 2 in layer 2 (max/mean"), std::string::npos) << sentence.substr(0, 2000);
  EXPECT_EQ(sentence.find("not part of the weight scan"), std::string::npos);
  EXPECT_EQ(w["landscape"]["module"], module);
  EXPECT_EQ(w["landscape"]["layer"], layer);
  EXPECT_EQ(w["landscape"]["highlight_columns"], json::array({column}));

  // Every expert matrix of every layer, and the side-by-side down columns, against numpy.
  const json& want = p.expected["expert_weights"];
  ASSERT_EQ(w["per_layer"].size(), want.size());
  for (size_t l = 0; l < want.size(); ++l) {
    for (const auto& [name, m] : want[l]["modules"].items()) {
      const json& got = w["per_layer"][l]["modules"][name];
      ASSERT_TRUE(got.is_object()) << "layer " << l << " " << name;
      for (const char* key : {"max_col_ratio", "median_col_ratio", "max_row_ratio", "median_row_ratio"})
        EXPECT_NEAR(got[key].get<double>(), m[key].get<double>(), 1e-4 * m[key].get<double>()) << l << name << key;
      EXPECT_EQ(got["top_columns"][0]["index"], m["top_columns"][0]) << l << name;
    }
    EXPECT_NEAR(w["down"]["max_col_ratio"][l].get<double>(), want[l]["down"]["max_col_ratio"].get<double>(), 1e-3);
    EXPECT_NEAR(w["down"]["median_col_ratio"][l].get<double>(), want[l]["down"]["median_col_ratio"].get<double>(), 1e-4);
    EXPECT_EQ(w["down"]["top3_columns"][l][0], want[l]["down"]["top_columns"][0]) << l;
  }
  EXPECT_TRUE(w["module_max_ratio"].contains("experts.down")) << w["modules"];
}

TEST(MoePlanted, LifecycleCreditsTheExpertColumnWithItsRoutingWeight) {
  const PlantedMoe& p = planted_moe();
  const int64_t layer = p.planted["emergence_layer"], expert = p.planted["expert"], column = p.planted["column"];
  const json& lc = p.report["lifecycle"];
  const json& want = p.expected["lifecycle"]["emergence"];
  ASSERT_EQ(lc["emergence"]["layer"], layer);
  EXPECT_EQ(lc["emergence"]["positions"], want["positions"]);
  EXPECT_EQ(lc["emergence"]["channels"], want["channels"]);
  const json& got_columns = lc["emergence"]["down_columns"];
  ASSERT_EQ(got_columns.size(), want["down_columns"].size());
  EXPECT_EQ(got_columns[0]["expert"], expert);
  EXPECT_EQ(got_columns[0]["column"], column);
  const int64_t d_ff = json::parse(read_text_file(p.dir + "/config.json"))["intermediate_size"];
  EXPECT_EQ(got_columns[0]["mlp_post_channel"], expert * d_ff + column);
  for (size_t i = 0; i < got_columns.size(); ++i) {
    const json& g = got_columns[i];
    const json& e = want["down_columns"][i];
    EXPECT_EQ(g["expert"], e["expert"]) << i;
    EXPECT_EQ(g["column"], e["column"]) << i;
    const double c = e["contribution"].get<double>();
    EXPECT_NEAR(g["contribution"].get<double>(), c, 1e-4 * std::fabs(c) + 1e-4) << i;
    EXPECT_NEAR(g["routing_weight"].get<double>(), e["routing_weight"].get<double>(), 1e-5) << i;
  }
  const double routing = got_columns[0]["routing_weight"].get<double>();
  EXPECT_GT(routing, 0.6);  // planted to be well below 1: the weight must be part of the contribution
  EXPECT_LT(routing, 0.9);
  EXPECT_NEAR(got_columns[0]["contribution"].get<double>(),
              routing * got_columns[0]["activation"].get<double>() * got_columns[0]["weight"].get<double>(), 1e-6 * 500);
  EXPECT_EQ(lc["emergence"]["weight_landscapes"]["down"]["module"], "experts.2.down");
  EXPECT_EQ(lc["emergence"]["gate_up"][0]["expert"], expert);

  // Every outlier entry's writers.
  std::map<std::tuple<int64_t, int64_t>, json> got;
  for (const auto& entry : lc["writers"]["entries"]) got[{entry["position"].get<int64_t>(), entry["channel"].get<int64_t>()}] = entry;
  ASSERT_EQ(got.size(), p.expected["writers"].size());
  for (const auto& e : p.expected["writers"]) {
    const json& g = got[{e["position"].get<int64_t>(), e["channel"].get<int64_t>()}];
    ASSERT_TRUE(g.is_object()) << e;
    EXPECT_EQ(g["layer"], e["layer"]);
    ASSERT_EQ(g["writers"].size(), e["writers"].size()) << g << e;
    for (size_t k = 0; k < e["writers"].size(); ++k) {
      EXPECT_EQ(g["writers"][k]["expert"], e["writers"][k]["expert"]);
      EXPECT_EQ(g["writers"][k]["column"], e["writers"][k]["column"]);
      EXPECT_NEAR(g["writers"][k]["share"].get<double>(), e["writers"][k]["share"].get<double>(), 1e-4);
      EXPECT_NEAR(g["writers"][k]["routing_weight"].get<double>(), e["writers"][k]["routing_weight"].get<double>(), 1e-5);
    }
  }

  const json& s = p.report["summary"];
  EXPECT_EQ(s["down_columns"], json::array({column}));
  EXPECT_EQ(s["down_column_experts"], json::array({expert}));
  EXPECT_NE(s.dump().find("column 70 of expert 2 in layer 2 (channel 37"), std::string::npos) << s.dump().substr(0, 2000);
  const std::string csv = read_text_file(p.dir + "/scan/outlier_writers.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "layer,input,position,piece,channel,value,expert,routing_weight,column,contribution,share");
  EXPECT_NE(csv.find(",2,0.7"), std::string::npos) << csv;
}

// The combined mlp.hook_post [T, E·d_ff] is zero for the experts a token was not routed to; the
// site's median, top-k and outliers must count only the routed entries (docs/metrics.md §2), or
// the median is ~0 and every routed entry an "outlier" (2305 entries before issue 13's fix).
TEST(MoePlanted, DownProjectionInputCountsOnlyRoutedEntries) {
  const PlantedMoe& p = planted_moe();
  const int64_t layer = p.planted["emergence_layer"], expert = p.planted["expert"], column = p.planted["column"];
  const json config = json::parse(read_text_file(p.dir + "/config.json"));
  const int64_t d_ff = config["intermediate_size"];
  const json& site = p.report["activations"]["sites"]["mlp_post"];
  const json& want = p.expected["mlp_post"];
  EXPECT_EQ(site["n_experts"], config["num_local_experts"]);
  EXPECT_EQ(site["counted_entries"], "routed");
  ASSERT_EQ(site["per_layer"]["median"].size(), want["median"].size());
  for (size_t l = 0; l < want["median"].size(); ++l) {
    const double median = want["median"][l], top1 = want["top1"][l];
    EXPECT_GT(median, 0.01) << l;  // the routed entries' median, not the structural zeros'
    EXPECT_NEAR(site["per_layer"]["median"][l].get<double>(), median, 1e-4 * median) << l;
    EXPECT_NEAR(site["per_layer"]["top1"][l].get<double>(), top1, 1e-4 * top1) << l;
  }
  EXPECT_EQ(site["per_layer"]["n_outliers"], want["n_outliers"]);

  // Exactly the reference's outliers: the planted neuron, at the planted positions, nothing else.
  std::map<std::tuple<int64_t, int64_t, int64_t>, double> expected;
  for (const auto& o : want["outliers"])
    expected[{o["layer"].get<int64_t>(), o["position"].get<int64_t>(), o["channel"].get<int64_t>()}] = o["value"].get<double>();
  ASSERT_EQ(site["n_outliers_total"].get<size_t>(), expected.size()) << site["outliers"];
  EXPECT_EQ(expected.size(), p.planted["inputs"][0]["positions"].size());
  for (const auto& o : site["outliers"]) {
    const auto key = std::make_tuple(o["layer"].get<int64_t>(), o["position"].get<int64_t>(), o["channel"].get<int64_t>());
    ASSERT_TRUE(expected.count(key)) << o;
    EXPECT_EQ(o["layer"], layer);
    EXPECT_EQ(o["channel"], expert * d_ff + column);
    EXPECT_EQ(o["expert"], expert);
    EXPECT_NEAR(o["value"].get<double>(), expected[key], 1e-4 * std::fabs(expected[key]));
    const double median = want["median"][static_cast<size_t>(layer)];  // one input: the mean is that input's median
    EXPECT_NEAR(o["ratio_to_median"].get<double>(), std::fabs(expected[key]) / median, 1e-3 * std::fabs(expected[key]) / median);
  }
  ASSERT_EQ(site["channels"].size(), 1u);
  EXPECT_EQ(site["channels"][0]["expert"], expert);
}

}  // namespace
}  // namespace osc
