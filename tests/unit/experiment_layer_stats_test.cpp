// Per-layer statistics of the variant experiment against tests/reference/experiment_ref.py, which
// recomputes them with numpy from the residual stream and attention weights of the same windows
// (the trainer's own activations; the C++ statistics come from the inference engine's hooks).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/text_file.h"
#include "experiment/layer_stats.h"
#include "support/shared_data.h"
#include "train/rng.h"

namespace osc::experiment {
namespace {

constexpr int64_t kLayers = 2, kWindows = 3, kHeads = 2, kSeq = 10, kDim = 16;

void append(std::ofstream& out, const float* data, int64_t n) {
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * sizeof(float)));
}

// Writes what the reference reads: the trainer's own activations of the windows.
void dump_activations(train::GptModel& m, const TokenWindows& w, const std::string& dir) {
  m.forward(w.tokens.data(), w.targets.data(), kWindows, kSeq, 0.0f);
  std::ofstream resid(dir + "/resid.f32", std::ios::binary), attn(dir + "/attn.f32", std::ios::binary);
  for (int64_t l = 0; l < kLayers; ++l) {
    append(resid, m.residual(l + 1).data(), kWindows * kSeq * kDim);
    append(attn, m.layer(l).attn.weights.data(), kWindows * kHeads * kSeq * kSeq);
  }
  write_text_atomically(dir + "/dims.json", nlohmann::json{{"layers", kLayers}, {"windows", kWindows},
                                                           {"heads", kHeads}, {"seq", kSeq}, {"dim", kDim}}
                                                .dump());
}

TEST(ExperimentLayerStats, MatchNumpyFromTheDefinitions) {
  train::GptConfig c;
  c.vocab_size = 20, c.context = kSeq, c.layers = kLayers, c.heads = kHeads, c.dim = kDim;
  train::GptModel m(c, kWindows);
  m.params().initialize(21, kLayers);
  // A planted massive first-token activation, so the statistics are not all near-uniform.
  m.params().values[static_cast<size_t>(m.params().find("wpe.weight")->offset + 3)] = 40.0f;
  TokenWindows w;
  w.count = kWindows, w.seq = kSeq;
  train::Rng rng(4);
  for (int64_t i = 0; i < kWindows * kSeq; ++i) {
    w.tokens.push_back(static_cast<int32_t>(rng.below(20)));
    w.targets.push_back(static_cast<int32_t>(rng.below(20)));
  }
  const std::string dir = test::scratch_dir("experiment_layer_stats");
  dump_activations(m, w, dir);
  test::run_reference("experiment_ref.py", dir);
  const auto want = nlohmann::json::parse(read_text_file(dir + "/stats.json"));

  const std::vector<LayerStats> got = measure_layer_stats(m, w, kWindows);
  ASSERT_EQ(got.size(), static_cast<size_t>(kLayers));
  for (int64_t l = 0; l < kLayers; ++l) {
    const LayerStats& s = got[static_cast<size_t>(l)];
    const auto near = [&](const char* key, double value) {
      const double ref = want[key][static_cast<size_t>(l)].get<double>();
      EXPECT_NEAR(value, ref, 1e-4 * (1.0 + std::fabs(ref))) << key << " layer " << l;
    };
    near("top1", s.top1), near("top2", s.top2), near("top3", s.top3), near("median", s.median);
    near("ratio", s.ratio), near("first_token_norm_ratio", s.first_token_norm_ratio);
    near("first_token_attention", s.first_token_attention), near("kurtosis", s.kurtosis);
    EXPECT_EQ(s.extra_attention, 0.0);
  }
  EXPECT_GT(got[0].first_token_norm_ratio, 3.0);  // the planted outlier shows
}

}  // namespace
}  // namespace osc::experiment
