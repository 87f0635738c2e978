// The variant experiment end to end on a tiny budget: two variants trained for a few steps on a
// small Bigram-Backcopy set give the table files with the documented columns, one row per variant
// (per layer), and a comparison JSON that the figures helper's reader accepts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/text_file.h"
#include "experiment/variant_runner.h"
#include "report/report_reader.h"
#include "support/shared_data.h"
#include "train/prepare_data.h"

namespace osc::experiment {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

VariantExperimentOptions tiny_experiment(const std::string& dir) {
  train::BigramBackcopyOptions data;
  data.out_dir = dir + "/data";
  data.vocab = 16, data.triggers = 2, data.seq_len = 16, data.train_tokens = 4096;
  train::prepare_bigram_backcopy(data);
  VariantExperimentOptions o;
  o.train.data_dir = data.out_dir;
  o.train.layers = 2, o.train.heads = 2, o.train.dim = 16, o.train.context = 16;
  o.train.batch = 2, o.train.steps = 3, o.train.warmup = 1, o.train.eval_every = 0, o.train.quiet = true;
  o.variants = {"softmax", "attn_bias"};
  o.out_dir = dir + "/out";
  o.eval_windows = 4, o.stats_windows = 2, o.landscape_positions = 8;
  return o;
}

TEST(ExperimentRunner, TinyBudgetWritesTablesWithTheExpectedColumns) {
  const std::string dir = test::scratch_dir("experiment_runner");
  const VariantExperimentOptions o = tiny_experiment(dir);
  const auto results = run_variant_experiment(o);
  ASSERT_EQ(results.size(), 2u);

  const auto summary = lines_of(read_text_file(o.out_dir + "/summary.csv"));
  ASSERT_EQ(summary.size(), 3u);
  EXPECT_EQ(summary[0],
            "variant,steps,train_seconds,train_loss,val_loss,ppl_original,ppl_w8_per_tensor,ppl_w8_per_channel,"
            "ppl_w8a8,ppl_sparse50,max_top1,max_ratio,max_first_token_norm_ratio,max_first_token_attention,"
            "max_extra_attention,max_kurtosis");
  EXPECT_EQ(summary[1].substr(0, 10), "softmax,3,");
  EXPECT_EQ(summary[2].substr(0, 12), "attn_bias,3,");

  const auto layers = lines_of(read_text_file(o.out_dir + "/layers.csv"));
  ASSERT_EQ(layers.size(), 1u + 2 * 2);
  EXPECT_EQ(layers[0],
            "variant,layer,top1,top2,top3,median,ratio,first_token_norm_ratio,first_token_attention,"
            "extra_attention,kurtosis");

  const std::string md = read_text_file(o.out_dir + "/comparison.md");
  EXPECT_NE(md.find("| (a) softmax |"), std::string::npos);
  EXPECT_NE(md.find("| (d) attn_bias |"), std::string::npos);
  EXPECT_NE(md.find("PPL W8A8"), std::string::npos);

  const auto json = nlohmann::json::parse(read_text_file(o.out_dir + "/comparison.json"));
  EXPECT_EQ(report::figures_from_comparison(json, "comparison.json").size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(o.out_dir + "/runs/softmax/export/model.safetensors"));
  EXPECT_FALSE(std::filesystem::is_empty(o.out_dir + "/figures"));

  for (const auto& r : results) {
    EXPECT_TRUE(std::isfinite(r.val_loss));
    for (const auto& s : r.layers) {
      EXPECT_GE(s.top1, s.top2);
      EXPECT_GE(s.top2, s.top3);
      EXPECT_GE(s.top3, s.median);
    }
  }
  // Only attn_bias has an extra value slot.
  EXPECT_EQ(results[0].layers[0].extra_attention, 0.0);
  EXPECT_GT(results[1].layers[0].extra_attention, 0.0);
}

TEST(ExperimentRunner, RejectsBadVariantListsBeforeTraining) {
  VariantExperimentOptions o;
  o.out_dir = test::scratch_dir("experiment_runner_bad");
  o.train.data_dir = o.out_dir;
  o.variants = {"softmax", "nosuch"};
  EXPECT_THROW(validate_variant_experiment(o), Error);
  o.variants = {"softmax", "softmax"};
  EXPECT_THROW(validate_variant_experiment(o), Error);
  o.variants = {};
  EXPECT_THROW(validate_variant_experiment(o), Error);
}

}  // namespace
}  // namespace osc::experiment
