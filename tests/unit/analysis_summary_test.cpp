// The summary tells the truth (issue 13 item 8) and reads like the paper (issue 18 item 1): it
// covers every input and every site, prints only the analyses that ran, says what the report
// left out, rounds numbers to what they mean, and the gap rule flags the massive few only.
// Each of the first three tests failed on the version-1 summary.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/activation_rule.h"
#include "analysis/report.h"
#include "analysis/summary_format.h"
#include "report/html_report.h"
#include "report/schema.h"

namespace osc::analysis {
namespace {

using nlohmann::json;

json input(int64_t index, std::vector<std::string> pieces) {
  json classes = json::array();
  for (size_t p = 0; p < pieces.size(); ++p) classes.push_back(p == 0 ? "initial" : "other");
  return {{"index", index}, {"source", "ids"}, {"n_tokens", pieces.size()}, {"pieces", pieces}, {"classes", classes}};
}

// A report as build_report writes it, with the sections given; the summary derived from them.
json report_with(const json& sections) {
  json r = {{"schema", report::kReportSchema}, {"schema_version", report::kReportSchemaVersion}, {"command", "scan"},
            {"model", {{"name", "m"}, {"architecture", "llama"}, {"n_layers", 3}, {"d_model", 8}}},
            {"thresholds", thresholds_to_json(Thresholds{})},
            {"inputs", {input(0, {"<s>", "a", "b", "c"}), input(1, {"<s>", "x", ".", "y"})}}};
  for (const auto& [k, v] : sections.items()) r[k] = v;
  r["summary"] = summary_json(r);
  return r;
}

json site(std::vector<int64_t> n_outliers, json outliers, json channels, json tokens, int64_t left_out = 0) {
  const size_t n = n_outliers.size();
  return {{"per_layer", {{"top1", std::vector<double>(n, 1.0)}, {"median", std::vector<double>(n, 0.5)},
                         {"n_outliers", n_outliers}}},
          {"outliers", outliers}, {"n_outliers_total", outliers.size() + static_cast<size_t>(left_out)},
          {"outliers_left_out", left_out}, {"channels", channels}, {"tokens", tokens}};
}

json quiet_site() { return site({0, 0, 0}, json::array(), json::array(), json::array()); }

TEST(SummaryTruth, SinksOfAnyInputAreNamedWithTheirInput) {
  const json attention = {{"sink_positions", {json::array(), {0, 2}}},
                          {"heads_affected", {{{"layer", 1}, {"head", 0}}}}};
  const json r = report_with({{"attention", attention}});
  const std::string text = summary_text(r);
  EXPECT_EQ(text.find("of input 0"), std::string::npos) << text;
  EXPECT_NE(text.find("keys 0 \"<s>\", 2 \".\" of input 1"), std::string::npos) << text;
  EXPECT_EQ(r["summary"]["sinks"], json::parse(R"([{"input":1,"positions":[0,2],"pieces":["<s>","."]}])"));
}

TEST(SummaryTruth, OutliersOfTheDownProjectionInputAreReported) {
  const json post_outliers = {{{"layer", 1}, {"input", 1}, {"position", 2}, {"channel", 5}, {"value", 40.0}}};
  const json activations = {
      {"sites",
       {{"resid_post", quiet_site()},
        {"mlp_post", site({0, 1, 0}, post_outliers, {{{"channel", 5}, {"max_abs", 40.0}}},
                          {{{"input", 1}, {"position", 2}}})}}}};
  const json r = report_with({{"activations", activations}});
  const std::string text = summary_text(r);
  EXPECT_NE(text.find("No massive activations in the residual stream"), std::string::npos) << text;
  EXPECT_NE(text.find("The down-projection input (mlp_post) has 1 outlier entry in layer(s) 1, channels 5"), std::string::npos) << text;
  EXPECT_EQ(r["summary"]["sites"]["mlp_post"]["n_outliers"], 1);
}

TEST(SummaryTruth, OnlyTheAnalysesThatRanArePrinted) {
  const json weights = {{"outliers", json::array()}, {"per_layer", json::array()}};
  const json r = report_with({{"weights", weights}});
  const std::string text = summary_text(r);
  EXPECT_EQ(r["summary"]["analyses"], json::array({"weights"}));
  EXPECT_EQ(text.find("activation"), std::string::npos) << text;
  EXPECT_EQ(text.find("sink"), std::string::npos) << text;
  // Nothing found is said plainly, with the rule that was used.
  EXPECT_NE(text.find("No weight outliers in the down projections: no column has a column max/mean ratio >= 10 times the "
                      "matrix's median ratio (relative rule)."),
            std::string::npos)
      << text;
}

TEST(SummaryTruth, ShortenedListsSayHowManyWereLeftOut) {
  const json one = {{{"layer", 0}, {"input", 0}, {"position", 1}, {"channel", 3}, {"value", 9.0}}};
  const json activations = {
      {"sites", {{"resid_post", quiet_site()},
                 {"mlp_post", site({5, 0, 0}, one, {{{"channel", 3}, {"max_abs", 9.0}}}, {{{"input", 0}, {"position", 1}}}, 4)}}}};
  const json r = report_with({{"activations", activations}});
  EXPECT_EQ(r["summary"]["left_out"],
            json::parse(R"([{"list":"activations.sites.mlp_post.outliers","listed":1,"left_out":4}])"));
  const std::string text = summary_text(r);
  EXPECT_NE(text.find("The report lists 1 of 5 entries of activations.sites.mlp_post.outliers (4 left out"), std::string::npos)
      << text;
  EXPECT_NE(text.find("has 5 outlier entries"), std::string::npos) << text;
}

TEST(SummaryFormat, MagnitudesHaveThreeSignificantDigitsAndRatiosSayTimesTheMedian) {
  EXPECT_EQ(three_digits(2412.7), "2410");
  EXPECT_EQ(three_digits(-1547.0), "-1550");
  EXPECT_EQ(three_digits(0.30149), "0.301");
  EXPECT_EQ(three_digits(24.06), "24.1");
  EXPECT_EQ(three_digits(79.99978637695313), "80");
  EXPECT_EQ(three_digits(3.2e-5), "3.2e-05");
  EXPECT_EQ(three_digits(2.5e7), "2.5e+07");
  EXPECT_EQ(times_median(2400.0, 0.3), "2400, 8000 times the median (0.3)");
  EXPECT_EQ(short_list({"1", "2", "3"}, 2), "1, 2, ... and 1 more");
}

TEST(SummaryHtml, FindingsLinkToTheirFigures) {
  const std::vector<double> per_layer = {1.0, 1.0, 1.0};  // the model's 3 layers
  const json attention = {{"sink_positions", {{0}, json::array()}}, {"heads_affected", json::array()},
                          {"per_layer", {{"top1", per_layer}, {"top2", per_layer}, {"median", per_layer},
                                         {"first_token_share", per_layer}}},
                          {"sink_share_by_head", {{0.5}, {0.5}, {0.5}}}};  // [layer][head]: a figure of group "attention"
  const json r = report_with({{"attention", attention}});
  const std::string html = report::render_html_report(r, "report.json");
  // The page's data (json_for_script escapes '<' and '>'): the sentence, and the link to the
  // attention figures, which this report has.
  EXPECT_NE(html.find("Attention sinks on keys 0 \\\"\\u003cs\\u003e\\\" of input 0"), std::string::npos);
  EXPECT_NE(html.find("\"link\":\"#group-attention\""), std::string::npos);
  EXPECT_NE(html.find("function findingsTable"), std::string::npos);
}

// Persistence: the same channel at the same token in consecutive layers; not the same channel at
// unrelated tokens in scattered layers (issue 20: channel 9000 was "persistent" that way).
TEST(ActivationRule, PersistentMeansSameTokenInConsecutiveLayers) {
  std::vector<Capture> caps(1);
  caps[0].input.pieces = {"<s>", "a", "b", "c"};
  const int64_t tokens = 4, width = 64;
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  for (int64_t l = 0; l < 4; ++l) {
    Tensor t({tokens, width});
    for (auto& v : t.data) v = noise(rng);
    if (l == 1 || l == 2) t.data[0 * width + 10] = 500.0f;    // channel 10 on token 0, layers 1-2: persistent
    t.data[static_cast<size_t>(l) * width + 20] = 400.0f;       // channel 20 on a different token each layer
    caps[0].hooks["blocks." + std::to_string(l) + ".hook_resid_post"] = t;
  }
  const SiteAnalysis s = analyze_site(caps, "resid_post", kResidPost, ActivationThresholds{});
  std::map<int64_t, int64_t> run;
  for (const auto& ch : s.channels) run[ch.channel] = ch.longest_run;
  EXPECT_EQ(run, (std::map<int64_t, int64_t>{{10, 2}, {20, 1}}));
  const json j = site_to_json(s, caps, ActivationThresholds{});
  for (const auto& ch : j["channels"]) EXPECT_EQ(ch["persistent"], ch["channel"] == 10) << ch;
}

// The gap rule: massive entries of different sizes above a bulk are all flagged; a heavy tail
// without a gap (a SwiGLU product at LLaMA-2-7B's d_ff) gives nothing, though 20x the median
// flags thousands of its entries.
TEST(ActivationRule, GapRuleKeepsTheMassiveFewAndIgnoresAHeavyTail) {
  const int64_t tokens = 19, width = 11008;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.28f);
  std::vector<float> x(static_cast<size_t>(tokens * width));
  for (auto& v : x) {
    const float g = normal(rng), u = normal(rng);
    v = g / (1.0f + std::exp(-g)) * u;  // silu(gate) * up
  }
  const MatrixRef m{x.data(), tokens, width};
  const auto median = [&] {
    std::vector<float> a(x.size());
    for (size_t i = 0; i < x.size(); ++i) a[i] = std::fabs(x[i]);
    std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(a.size() / 2), a.end());
    return static_cast<double>(a[a.size() / 2]);
  };
  ActivationThresholds relative;
  relative.rule = Rule::Relative;
  EXPECT_GT(activation_outlier_entries(m, median(), relative).size(), 100u);
  EXPECT_TRUE(activation_outlier_entries(m, median(), ActivationThresholds{}).empty());
  x[0 * width + 1415] = 2500.0f, x[0 * width + 2533] = -800.0f, x[5 * width + 1415] = 1500.0f;
  EXPECT_EQ(activation_outlier_entries(m, median(), ActivationThresholds{}),
            (std::vector<int64_t>{1415, 5 * width + 1415, 2533}));
}

}  // namespace
}  // namespace osc::analysis
