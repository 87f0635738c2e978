// The analyses on hooks of the PyTorch reference forward of checkpoints with planted outliers
// (tests/reference/plant_outliers.py): the report must name exactly the planted layer, channel,
// down column, tokens, attention sink and cancelling layer, and every statistic must equal the
// numpy computation of tests/reference/analysis_ref.py on the same hooks.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "analysis/attention_outliers.h"
#include "analysis/lifecycle.h"
#include "analysis/report.h"
#include "analysis/weight_outliers.h"
#include "formats/safetensors.h"
#include "report/schema.h"
#include "support/shared_data.h"

namespace osc::analysis {
namespace {

struct Planted {
  std::string dir;
  SafetensorsContents model;
  std::vector<SafetensorsContents> hooks;
  nlohmann::json planted, expected;
  std::vector<Tensor> transposed;  // owners of GPT-2's transposed Conv1D weights
};

nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

Tensor to_tensor(const TensorView& v) {
  Tensor t(v.shape);
  t.data = v.to_f32();
  return t;
}

std::unique_ptr<Planted> make_planted(const std::string& arch) {
  auto p = std::make_unique<Planted>();
  p->dir = test::scratch_dir("analysis_planted_" + arch);
  test::run_reference("plant_outliers.py", "--arch " + arch + " --out " + p->dir);
  const std::string hooks = p->dir + "/hooks_0.safetensors," + p->dir + "/hooks_1.safetensors";
  test::run_reference("analysis_ref.py", "stats --hooks " + hooks + " --weights " + p->dir +
                                             "/model.safetensors --out " + p->dir + "/expected.json");
  p->model = read_safetensors(p->dir + "/model.safetensors");
  for (int i = 0; i < 2; ++i) p->hooks.push_back(read_safetensors(p->dir + "/hooks_" + std::to_string(i) + ".safetensors"));
  p->planted = read_json(p->dir + "/planted.json");
  p->expected = read_json(p->dir + "/expected.json");
  return p;
}

std::vector<Capture> captures_of(const Planted& p) {
  std::vector<Capture> out;
  for (const auto& h : p.hooks) {
    Capture c;
    for (const auto& [name, view] : h.tensors) {
      if (name == "input_ids") {
        std::vector<int32_t> ids(static_cast<size_t>(view.numel()));
        std::memcpy(ids.data(), view.data, ids.size() * sizeof(int32_t));  // I32 [T]
        for (int32_t id : ids) {
          c.input.token_ids.push_back(id);
          c.input.pieces.push_back("#" + std::to_string(id));
        }
      } else {
        c.hooks[name] = to_tensor(view);
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Linear weights by module, [out, in] (GPT-2's Conv1D [in, out] weights are transposed copies).
LayerWeights weights_of(Planted& p, int64_t n_layers) {
  LayerWeights layers(static_cast<size_t>(n_layers));
  const bool llama = p.planted["arch"] == "llama";
  p.transposed.reserve(static_cast<size_t>(n_layers) * 3);
  for (int64_t l = 0; l < n_layers; ++l) {
    auto& out = layers[static_cast<size_t>(l)];
    const std::string L = std::to_string(l);
    if (llama) {
      for (const char* m : {"q", "k", "v", "o"})
        out.push_back({m, p.model.tensors.get("model.layers." + L + ".self_attn." + m + "_proj.weight", "model")});
      for (const char* m : {"gate", "up", "down"})
        out.push_back({m, p.model.tensors.get("model.layers." + L + ".mlp." + m + "_proj.weight", "model")});
      continue;
    }
    for (auto [module, name] : {std::pair{"o", "attn.c_proj"}, {"up", "mlp.c_fc"}, {"down", "mlp.c_proj"}}) {
      const Tensor src = to_tensor(p.model.tensors.get("transformer.h." + L + "." + name + ".weight", "model"));
      Tensor t({src.shape[1], src.shape[0]});
      for (int64_t i = 0; i < src.shape[0]; ++i)
        for (int64_t j = 0; j < src.shape[1]; ++j) t.data[static_cast<size_t>(j * src.shape[0] + i)] = src.data[static_cast<size_t>(i * src.shape[1] + j)];
      p.transposed.push_back(std::move(t));
      out.push_back({module, p.transposed.back().view()});
    }
  }
  return layers;
}

class PlantedOutliers : public ::testing::TestWithParam<std::string> {};

TEST_P(PlantedOutliers, ReportNamesThePlantedOutliersAndMatchesNumpy) {
  auto p = make_planted(GetParam());
  const std::vector<Capture> caps = captures_of(*p);
  const nlohmann::json& planted = p->planted;
  const nlohmann::json& e = p->expected;
  Thresholds t;
  const SiteAnalysis resid = analyze_site(caps, "resid_post", kResidPost, t.activation);
  const SiteAnalysis post = analyze_site(caps, "mlp_post", kMlpPost, t.activation);
  const LayerWeights weights = weights_of(*p, resid.n_layers);
  const WeightAnalysis w = analyze_weights(weights, t.weight, true);
  const AttentionAnalysis attn = analyze_attention(caps, t.attention, planted["sink_layer"].get<int64_t>());
  ReportParts parts;
  parts.captures = &caps;
  parts.weights = &w;
  parts.resid_post = &resid;
  parts.mlp_post = &post;
  parts.attention = &attn;
  parts.lifecycle = lifecycle_json(resid, caps, weights, t.activation);
  const nlohmann::json report = build_report(parts);
  const nlohmann::json& s = report["summary"];

  // What was planted.
  EXPECT_EQ(s["emergence_layer"], planted["emergence_layer"]);
  EXPECT_EQ(s["outlier_channels"], nlohmann::json::array({planted["channel"]}));
  EXPECT_EQ(s["down_columns"], nlohmann::json::array({planted["column"]}));
  std::set<std::pair<int64_t, int64_t>> tokens, want_tokens;  // (input, position) over every input
  for (const auto& tok : s["outlier_tokens"]) {
    tokens.insert({tok["input"].get<int64_t>(), tok["position"].get<int64_t>()});
    EXPECT_EQ(tok["writers"].size(), 1u) << tok;  // the planted column, on every planted token
    for (const auto& w : tok["writers"]) EXPECT_EQ(w["column"], planted["column"]) << tok;
  }
  for (size_t i = 0; i < planted["inputs"].size(); ++i)
    for (const auto& p : planted["inputs"][i]["positions"]) want_tokens.insert({static_cast<int64_t>(i), p.get<int64_t>()});
  EXPECT_EQ(tokens, want_tokens);
  EXPECT_EQ(s["sink_positions"], planted["inputs"][0]["positions"]);
  ASSERT_EQ(s["sinks"].size(), planted["inputs"].size());
  for (size_t i = 0; i < planted["inputs"].size(); ++i) EXPECT_EQ(s["sinks"][i]["positions"], planted["inputs"][i]["positions"]);
  std::set<std::pair<int64_t, int64_t>> heads;
  for (const auto& h : s["sink_heads"]) heads.insert({h["layer"].get<int64_t>(), h["head"].get<int64_t>()});
  std::set<std::pair<int64_t, int64_t>> want_heads;
  for (int64_t h = 0; h < planted["n_heads"].get<int64_t>(); ++h) want_heads.insert({planted["sink_layer"].get<int64_t>(), h});
  EXPECT_EQ(heads, want_heads);
  EXPECT_EQ(s["disappearance_layer"], planted["disappearance_layer"]);
  EXPECT_EQ(strongest_down_column(w), (std::pair<int64_t, int64_t>{planted["emergence_layer"], planted["column"]}));
  std::set<std::pair<int64_t, int64_t>> weight_columns;
  for (const auto& c : s["weight_outlier_columns"]) weight_columns.insert({c["layer"].get<int64_t>(), c["column"].get<int64_t>()});
  EXPECT_TRUE(weight_columns.count({planted["emergence_layer"], planted["column"]}));
  EXPECT_TRUE(weight_columns.count({planted["disappearance_layer"], planted["cancel_column"]}));

  // The statistics against numpy on the same hooks.
  for (size_t l = 0; l < static_cast<size_t>(resid.n_layers); ++l) {
    EXPECT_NEAR(resid.top1[l], e["resid_post"]["top1"][l].get<double>(), 1e-3);
    EXPECT_NEAR(resid.median[l], e["resid_post"]["median"][l].get<double>(), 1e-5);
    EXPECT_EQ(resid.n_outliers[l], e["resid_post"]["n_outliers"][l].get<int64_t>());
    EXPECT_EQ(post.n_outliers[l], e["mlp_post"]["n_outliers"][l].get<int64_t>());
    EXPECT_NEAR(attn.top1[l], e["attention"]["top1"][l].get<double>(), 1e-4);
  }
  EXPECT_EQ(attn.sink_positions, e["attention"]["sink_positions"].get<std::vector<std::vector<int64_t>>>());
  const nlohmann::json& le = e["lifecycle"];
  const nlohmann::json& lc = report["lifecycle"];
  EXPECT_EQ(lc["emergence"]["positions"], le["emergence"]["positions"]);
  EXPECT_EQ(lc["emergence"]["channels"], le["emergence"]["channels"]);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(lc["emergence"]["down_columns"][i]["column"], le["emergence"]["down_columns"][i]["column"]);
    const double want = le["emergence"]["down_columns"][i]["contribution"].get<double>();
    EXPECT_NEAR(lc["emergence"]["down_columns"][i]["contribution"].get<double>(), want, 1e-4 * std::fabs(want) + 1e-6);
  }
  // Every outlier entry's writers, against numpy.
  const nlohmann::json& we = e["writers"];
  ASSERT_EQ(lc["writers"]["n_entries"].get<size_t>(), we.size());
  std::map<std::tuple<int64_t, int64_t, int64_t>, nlohmann::json> got_writers;
  for (const auto& entry : lc["writers"]["entries"])
    got_writers[{entry["input"].get<int64_t>(), entry["position"].get<int64_t>(), entry["channel"].get<int64_t>()}] = entry;
  for (const auto& want : we) {
    const auto& got = got_writers[{want["input"].get<int64_t>(), want["position"].get<int64_t>(), want["channel"].get<int64_t>()}];
    ASSERT_TRUE(got.is_object()) << want;
    EXPECT_EQ(got["layer"], want["layer"]);
    ASSERT_EQ(got["writers"].size(), want["writers"].size()) << got << want;
    for (size_t k = 0; k < want["writers"].size(); ++k) {
      EXPECT_EQ(got["writers"][k]["column"], want["writers"][k]["column"]);
      EXPECT_NEAR(got["writers"][k]["share"].get<double>(), want["writers"][k]["share"].get<double>(), 1e-4);
    }
  }
  EXPECT_NEAR(lc["disappearance"]["peak"].get<double>(), le["disappearance"]["peak"].get<double>(), 1e-3);
  EXPECT_EQ(lc["disappearance"]["position"], le["disappearance"]["position"]);
  EXPECT_NEAR(lc["disappearance"]["cancel_by"]["mlp_out"].get<double>(), le["disappearance"]["mlp_out"].get<double>(), 1e-3);
  EXPECT_EQ(lc["disappearance"]["cancel_by"]["down_columns"][0]["column"], planted["cancel_column"]);
  EXPECT_EQ(lc["spread"]["head"], le["spread"]["head"]);
  EXPECT_NEAR(lc["spread"]["prob_to_outliers_mean"].get<double>(), le["spread"]["prob_to_outliers_mean"].get<double>(), 1e-5);
  for (size_t i = 0; i < le["spread"]["k_norm"].size(); ++i) {
    EXPECT_NEAR(lc["spread"]["q_norm"][i].get<double>(), le["spread"]["q_norm"][i].get<double>(), 1e-4);
    EXPECT_NEAR(lc["spread"]["k_norm"][i].get<double>(), le["spread"]["k_norm"][i].get<double>(), 1e-4);
    EXPECT_NEAR(lc["spread"]["v_norm"][i].get<double>(), le["spread"]["v_norm"][i].get<double>(), 1e-4);
  }

  // The files: report.json round-trips and the CSV tables exist.
  const std::string out = p->dir + "/scan";
  write_report_files(report, out);
  std::ifstream f(out + "/report.json");
  const nlohmann::json back = nlohmann::json::parse(f);
  EXPECT_EQ(back["schema_version"], report::kReportSchemaVersion);
  EXPECT_EQ(back["summary"], report["summary"]);
  for (const char* csv : {"weights_per_layer.csv", "activations_per_layer.csv", "attention_outliers.csv", "token_classes.csv",
                          "outlier_writers.csv"})
    EXPECT_TRUE(std::ifstream(out + "/" + csv).good()) << csv;
  EXPECT_NE(summary_text(report).find("emerge at layer " + planted["emergence_layer"].dump()), std::string::npos);
  EXPECT_NE(summary_text(report).find("Down-projection columns write them: token 0 "), std::string::npos) << summary_text(report);
}

INSTANTIATE_TEST_SUITE_P(Archs, PlantedOutliers, ::testing::Values("llama", "gpt2"));

}  // namespace
}  // namespace osc::analysis
