// Weight, activation and attention outlier statistics on synthetic tensors, against the numpy
// reference tests/reference/analysis_ref.py (written from the paper's definitions).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/attention_outliers.h"
#include "analysis/outlier_writers.h"
#include "analysis/token_classes.h"
#include "analysis/weight_outliers.h"
#include "formats/safetensors.h"
#include "support/shared_data.h"

namespace osc::analysis {
namespace {

class AnalysisOutliers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(test::scratch_dir("analysis_outliers"));
    test::run_reference("analysis_ref.py", "synthetic --out " + *dir_);
    data_ = new SafetensorsContents(read_safetensors(*dir_ + "/data.safetensors"));
    std::ifstream f(*dir_ + "/expected.json");
    expected_ = new nlohmann::json(nlohmann::json::parse(f));
  }
  static void TearDownTestSuite() {
    delete data_;
    delete expected_;
    delete dir_;
  }

  static Tensor tensor(const std::string& name) {
    const TensorView& v = data_->tensors.get(name, "data.safetensors");
    Tensor t(v.shape);
    t.data = v.to_f32();
    return t;
  }

  static std::vector<Capture> captures() {
    const auto pieces = nlohmann::json::parse(data_->metadata.at("pieces"));
    std::vector<Capture> out;
    for (size_t i = 0; i < pieces.size(); ++i) {
      Capture c;
      c.input.pieces = pieces[i].get<std::vector<std::string>>();
      const std::string prefix = "in." + std::to_string(i) + ".";
      for (const auto& [name, view] : data_->tensors)
        if (name.rfind(prefix, 0) == 0) c.hooks[name.substr(prefix.size())] = tensor(name);
      out.push_back(std::move(c));
    }
    return out;
  }

  static std::string* dir_;
  static SafetensorsContents* data_;
  static nlohmann::json* expected_;
};
std::string* AnalysisOutliers::dir_ = nullptr;
SafetensorsContents* AnalysisOutliers::data_ = nullptr;
nlohmann::json* AnalysisOutliers::expected_ = nullptr;

std::vector<int64_t> indices(const std::vector<IndexedValue>& v) {
  std::vector<int64_t> out;
  for (const auto& e : v) out.push_back(e.index);
  return out;
}

void expect_module(const ModuleSummary& m, const nlohmann::json& e) {
  EXPECT_NEAR(m.max_col_ratio, e["max_col_ratio"].get<double>(), 1e-4 * e["max_col_ratio"].get<double>());
  EXPECT_NEAR(m.median_col_ratio, e["median_col_ratio"].get<double>(), 1e-4 * e["median_col_ratio"].get<double>());
  EXPECT_NEAR(m.max_row_ratio, e["max_row_ratio"].get<double>(), 1e-4 * e["max_row_ratio"].get<double>());
  EXPECT_NEAR(m.median_row_ratio, e["median_row_ratio"].get<double>(), 1e-4 * e["median_row_ratio"].get<double>());
  EXPECT_NEAR(m.max_ratio, e["max_ratio"].get<double>(), 1e-4 * e["max_ratio"].get<double>());
  EXPECT_EQ(indices(m.top_columns), e["top_columns"].get<std::vector<int64_t>>());
  EXPECT_EQ(indices(m.top_rows), e["top_rows"].get<std::vector<int64_t>>());
  EXPECT_EQ(indices(m.outlier_columns), e["outlier_columns"].get<std::vector<int64_t>>());
}

TEST_F(AnalysisOutliers, WeightRatiosMatchNumpyForEveryModule) {
  const std::vector<std::string> modules = {"q", "k", "v", "o", "gate", "up", "down"};
  std::vector<std::vector<LinearWeight>> layers(3);
  for (int l = 0; l < 3; ++l)
    for (const auto& m : modules)
      layers[static_cast<size_t>(l)].push_back({m, data_->tensors.get("w." + std::to_string(l) + "." + m, "data")});
  const WeightAnalysis a = analyze_weights(layers, WeightThresholds{}, true);
  ASSERT_EQ(a.layers.size(), 3u);
  EXPECT_EQ(a.modules, modules);
  for (int l = 0; l < 3; ++l)
    for (const auto& m : modules) {
      SCOPED_TRACE("layer " + std::to_string(l) + " " + m);
      expect_module(*a.layers[static_cast<size_t>(l)].find(m), (*expected_)["weights"][std::to_string(l) + "." + m]);
    }
  // The planted column 17 of layer 1's down projection is the strongest down column.
  EXPECT_EQ(strongest_down_column(a), (std::pair<int64_t, int64_t>{1, 17}));
  const nlohmann::json j = weights_to_json(a);
  EXPECT_EQ(j["down"]["top3_columns"][1][0], 17);
  EXPECT_EQ(j["landscape"]["layer"], 1);
  EXPECT_EQ(j["landscape"]["highlight_rows"][0], 5);  // the row it writes: channel 5
  // rows are all 16 rows; columns start with column 0: abs_values[5][0] = |W[5, 0]| (W is [16, 40]).
  EXPECT_EQ(j["landscape"]["columns"][0], 0);
  EXPECT_NEAR(j["landscape"]["abs_values"][5][0].get<double>(), std::fabs(tensor("w.1.down").data[5 * 40]), 1e-7);
}

TEST_F(AnalysisOutliers, AbsoluteWeightRuleUsesTheFixedRatio) {
  WeightThresholds t;
  t.rule = Rule::Absolute;
  t.ratio_min = 10.0;
  const ModuleSummary m = summarize_module(matrix_ratios(data_->tensors.get("w.1.down", "data"), "w"), t);
  EXPECT_EQ(indices(m.outlier_columns), (*expected_)["weights"]["1.down"]["outlier_columns_absolute"].get<std::vector<int64_t>>());
}

TEST_F(AnalysisOutliers, Bf16WeightsAreStreamedInTheirStoredType) {
  const TensorView& v = data_->tensors.get("bf16.down", "data");
  ASSERT_EQ(v.dtype, DType::BF16);
  expect_module(summarize_module(matrix_ratios(v, "bf16"), WeightThresholds{}), (*expected_)["bf16_down"]);
}

void expect_site(const SiteAnalysis& s, const nlohmann::json& e) {
  ASSERT_EQ(s.n_layers, e["n_layers"].get<int64_t>());
  for (int64_t l = 0; l < s.n_layers; ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    const size_t i = static_cast<size_t>(l);
    EXPECT_NEAR(s.top1[i], e["top1"][i].get<double>(), 1e-4);
    EXPECT_NEAR(s.top2[i], e["top2"][i].get<double>(), 1e-4);
    EXPECT_NEAR(s.top3[i], e["top3"][i].get<double>(), 1e-4);
    EXPECT_NEAR(s.median[i], e["median"][i].get<double>(), 1e-5);
    EXPECT_EQ(s.top1_channel[i], e["top1_channel"][i].get<int64_t>());
    EXPECT_EQ(s.n_outliers[i], e["n_outliers"][i].get<int64_t>());
  }
  std::map<std::string, std::vector<int64_t>> channels;
  std::map<std::string, bool> persistent;
  for (const auto& ch : s.channels) {
    channels[std::to_string(ch.channel)] = ch.layers;
    persistent[std::to_string(ch.channel)] = ch.longest_run >= ActivationThresholds{}.min_layers_persistent;
  }
  EXPECT_EQ(channels, (e["channels"].get<std::map<std::string, std::vector<int64_t>>>()));
  EXPECT_EQ(persistent, (e["persistent"].get<std::map<std::string, bool>>()));
  ASSERT_EQ(s.tokens.size(), e["tokens"].size());
  for (size_t t = 0; t < s.tokens.size(); ++t) {
    EXPECT_EQ(s.tokens[t].input, e["tokens"][t]["input"].get<int64_t>());
    EXPECT_EQ(s.tokens[t].position, e["tokens"][t]["position"].get<int64_t>());
    EXPECT_EQ(s.tokens[t].layers, e["tokens"][t]["layers"].get<std::vector<int64_t>>());
  }
  std::set<std::tuple<int64_t, int64_t, int64_t, int64_t>> got, want;
  for (const auto& o : s.outliers) got.insert({o.layer, o.input, o.position, o.channel});
  for (const auto& o : e["outliers"])
    want.insert({o["layer"].get<int64_t>(), o["input"].get<int64_t>(), o["position"].get<int64_t>(), o["channel"].get<int64_t>()});
  EXPECT_EQ(got, want);
}

TEST_F(AnalysisOutliers, ActivationStatisticsMatchNumpy) {
  const auto caps = captures();
  const SiteAnalysis resid = analyze_site(caps, "resid_post", kResidPost, ActivationThresholds{});
  {
    SCOPED_TRACE("resid_post");
    expect_site(resid, (*expected_)["resid_post"]);
  }
  EXPECT_EQ(first_outlier_layer(resid), 1);
  EXPECT_EQ(resid.channels.front().channel, 5);  // the planted massive channel, largest first
  const TokenClassCounts classes = outlier_token_classes(resid, caps);
  EXPECT_EQ(classes.counts[0], 2);  // initial tokens of both inputs
  EXPECT_EQ(classes.counts[1], 2);  // "." and ","
  SCOPED_TRACE("mlp_post");
  expect_site(analyze_site(caps, "mlp_post", kMlpPost, ActivationThresholds{}), (*expected_)["mlp_post"]);
}

// Every outlier entry is credited to all the down columns that write >= 20% of it (numpy).
TEST_F(AnalysisOutliers, EveryOutlierEntryIsCreditedToItsWritersAsNumpy) {
  const auto caps = captures();
  const SiteAnalysis resid = analyze_site(caps, "resid_post", kResidPost, ActivationThresholds{});
  LayerWeights weights(static_cast<size_t>(resid.n_layers));
  for (int64_t l = 0; l < resid.n_layers; ++l)
    weights[static_cast<size_t>(l)].push_back({"down", data_->tensors.get("w." + std::to_string(l) + ".down", "data")});
  const std::vector<EntryWriters> got = attribute_writers(resid, caps, weights, ActivationThresholds{}.writer_share);
  std::map<std::tuple<int64_t, int64_t, int64_t>, const EntryWriters*> by_entry;
  for (const auto& e : got) by_entry[{e.input, e.position, e.channel}] = &e;
  const nlohmann::json& want = (*expected_)["writers"];
  ASSERT_EQ(got.size(), want.size());
  size_t credited = 0;
  for (const auto& w : want) {
    const auto it = by_entry.find({w["input"].get<int64_t>(), w["position"].get<int64_t>(), w["channel"].get<int64_t>()});
    ASSERT_NE(it, by_entry.end()) << w;
    EXPECT_EQ(it->second->layer, w["layer"].get<int64_t>());
    ASSERT_EQ(it->second->writers.size(), w["writers"].size()) << w;
    for (size_t k = 0; k < w["writers"].size(); ++k) {
      EXPECT_EQ(it->second->writers[k].column, w["writers"][k]["column"].get<int64_t>());
      EXPECT_NEAR(it->second->writers[k].share, w["writers"][k]["share"].get<double>(), 1e-5);
    }
    credited += w["writers"].size();
  }
  EXPECT_EQ(credited, 2u);  // the planted column 17 on the first token of both inputs
}

TEST_F(AnalysisOutliers, AttentionStatisticsMatchNumpy) {
  const auto caps = captures();
  const AttentionAnalysis a = analyze_attention(caps, AttentionThresholds{}, 2);
  const nlohmann::json& e = (*expected_)["attention"];
  ASSERT_EQ(a.n_layers, e["n_layers"].get<int64_t>());
  for (size_t l = 0; l < static_cast<size_t>(a.n_layers); ++l) {
    EXPECT_NEAR(a.top1[l], e["top1"][l].get<double>(), 1e-4);
    EXPECT_NEAR(a.top2[l], e["top2"][l].get<double>(), 1e-4);
    EXPECT_NEAR(a.median[l], e["median"][l].get<double>(), 1e-4);
    EXPECT_NEAR(a.first_token_share[l], e["first_token_share"][l].get<double>(), 1e-5);
    for (size_t h = 0; h < static_cast<size_t>(a.n_heads); ++h)
      EXPECT_NEAR(a.sink_share_by_head[l][h], e["sink_share_by_head"][l][h].get<double>(), 1e-5);
  }
  ASSERT_EQ(a.outliers.size(), e["outliers"].size());
  for (size_t i = 0; i < a.outliers.size(); ++i) {
    const auto& w = e["outliers"][i];
    EXPECT_EQ(a.outliers[i].layer, w["layer"].get<int64_t>());
    EXPECT_EQ(a.outliers[i].input, w["input"].get<int64_t>());
    EXPECT_EQ(a.outliers[i].position, w["position"].get<int64_t>());
    EXPECT_NEAR(a.outliers[i].received, w["received"].get<double>(), 1e-4);
    EXPECT_NEAR(a.outliers[i].threshold, w["threshold"].get<double>(), 1e-9);
    EXPECT_EQ(a.outliers[i].heads, w["heads"].get<std::vector<int64_t>>());
  }
  EXPECT_EQ(a.sink_positions, e["sink_positions"].get<std::vector<std::vector<int64_t>>>());
  EXPECT_EQ(token_class_counts_to_json(a.token_classes)["initial"], e["token_classes"]["initial"]);
  const nlohmann::json j = attention_to_json(a, caps);
  EXPECT_EQ(j["pattern"]["layer"], 2);
  EXPECT_EQ(j["received"]["by_layer_head_key"].size(), 3u);
}

TEST_F(AnalysisOutliers, TokenClassesFollowThePaperSets) {
  const auto pieces = nlohmann::json::parse(data_->metadata.at("pieces"));
  for (size_t i = 0; i < pieces.size(); ++i)
    for (size_t k = 0; k < pieces[i].size(); ++k)
      EXPECT_EQ(token_class_name(classify_token(pieces[i][k].get<std::string>(), static_cast<int64_t>(k))),
                (*expected_)["token_classes"][i][k].get<std::string>())
          << pieces[i][k];
  EXPECT_EQ(classify_token("\xC4\xA0the", 3), TokenClass::WeakSemantic);  // GPT-2 "Ġthe"
  EXPECT_EQ(classify_token("\xC4\x8A", 3), TokenClass::StrongDelimiter);  // GPT-2 "Ċ" newline
}

TEST(AnalysisUniform, UniformReceivedIsTheHarmonicTail) {
  EXPECT_DOUBLE_EQ(uniform_received(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(uniform_received(0, 3), 1.0 + 0.5 + 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(uniform_received(2, 3), 1.0 / 3.0);
}

}  // namespace
}  // namespace osc::analysis
