// The layer-major scan sweep (analysis/layer_sweep.h) on a small synthetic bf16 LLaMA mapped from
// its safetensors file: its captures and weight statistics equal the window-major reference
// (capture_inputs, analyze_weights: one forward per input, whose numbers the model tests check
// against PyTorch), and under a memory budget smaller than two layers it gives back every finished
// layer's pages (none left in the page tables, /proc/self/pagemap), while a large budget keeps them.
#include <gtest/gtest.h>

#include <cstring>

#include "analysis/layer_sweep.h"
#include "analysis/model_capture.h"
#include "analysis/scan_pipeline.h"
#include "core/error.h"
#include "model/weight_pages.h"
#include "support/shared_data.h"
#include "synth/synth.h"

namespace osc::analysis {
namespace {

constexpr int64_t kWindows = 4, kTokens = 24;

const Model& small_model() {
  static const Model model = [] {
    SynthOptions o;
    o.preset = "small";  // 4 layers, d_model 256, d_ff 704, vocab 1024: about 1.7 MB of bf16 per layer
    o.out_dir = test::scratch_dir("layer_sweep_small");
    o.seed = 3;
    o.quiet = true;
    write_synth_model(o);
    return Model::load(o.out_dir);
  }();
  return model;
}

std::vector<InputSequence> windows(const Model& model) {
  std::vector<InputSequence> out;
  for (int64_t w = 0; w < kWindows; ++w) {
    std::vector<int32_t> ids;
    for (int64_t t = 0; t < kTokens; ++t) ids.push_back(static_cast<int32_t>((w * 389 + t * 97 + 1) % 1024));
    out.push_back(input_from_ids(model, ids, "ids"));
  }
  return out;
}

// The big matrices of a layer: mapped from the file (norms are converted copies).
std::vector<ByteRange> matrix_ranges(const LayerWeights& weights, int64_t layer) {
  std::vector<ByteRange> out;
  for (const auto& lw : weights[static_cast<size_t>(layer)])
    out.push_back({static_cast<const uint8_t*>(lw.view.data), lw.view.nbytes});
  return out;
}

SweepResult sweep(const Model& model, uint64_t budget) {
  SweepOptions o;
  o.weight_statistics = true;
  o.memory_budget = budget;
  o.quiet = true;
  return sweep_layers(model, windows(model), model_linear_weights(model), o);
}

bool same_tensor(const Tensor& a, const Tensor& b) {
  return a.shape == b.shape && std::memcmp(a.ptr(), b.ptr(), a.data.size() * sizeof(float)) == 0;
}

TEST(LayerSweep, EqualsTheWindowMajorPasses) {
  const Model& model = small_model();
  const LayerWeights weights = model_linear_weights(model);
  const SweepResult swept = sweep(model, 0);
  const std::vector<Capture> reference = capture_inputs(model, windows(model), /*with_attention=*/true, true);
  ASSERT_EQ(swept.captures.size(), reference.size());
  for (size_t i = 0; i < reference.size(); ++i) {
    EXPECT_EQ(swept.captures[i].input.token_ids, reference[i].input.token_ids);
    ASSERT_EQ(swept.captures[i].hooks.size(), reference[i].hooks.size()) << "input " << i;
    for (const auto& [name, tensor] : reference[i].hooks)
      EXPECT_TRUE(same_tensor(swept.captures[i].hooks.at(name), tensor)) << "input " << i << " " << name;
  }
  const WeightAnalysis window_major = analyze_weights(weights, WeightThresholds{}, true);
  EXPECT_EQ(weights_to_json(assemble_weight_analysis(swept.weight_layers, weights)), weights_to_json(window_major));
}

TEST(LayerSweep, SmallBudgetGivesBackEveryFinishedLayer) {
  const Model& model = small_model();
  const LayerWeights weights = model_linear_weights(model);
  const int64_t n_layers = model.config().n_layers;
  const uint64_t one_layer = total_bytes(layer_byte_ranges(model.weights(), 0));
  const SweepResult swept = sweep(model, one_layer);  // smaller than two layers
  EXPECT_TRUE(swept.releases_pages);
  EXPECT_EQ(swept.layers_released, n_layers);
  EXPECT_GT(swept.bytes_released, static_cast<uint64_t>(n_layers) * one_layer * 9 / 10);
  for (int64_t l = 0; l < n_layers; ++l) EXPECT_EQ(resident_pages(matrix_ranges(weights, l)), 0u) << "layer " << l;
}

TEST(LayerSweep, LargeBudgetKeepsThePages) {
  const Model& model = small_model();
  const LayerWeights weights = model_linear_weights(model);
  const SweepResult swept = sweep(model, UINT64_MAX);
  EXPECT_FALSE(swept.releases_pages);
  EXPECT_EQ(swept.layers_released, 0);
  for (int64_t l = 0; l < model.config().n_layers; ++l) EXPECT_GT(resident_pages(matrix_ranges(weights, l)), 0u);
}

TEST(LayerSweep, ScanReportDoesNotDependOnTheBudget) {
  const Model& model = small_model();
  ScanInputs in;
  in.include_default = false;
  for (const auto& w : windows(model)) in.id_lists.push_back({w.token_ids.begin(), w.token_ids.end()});
  ScanOptions options;
  options.quiet = true;
  options.memory_budget = 0;
  const nlohmann::json released = run_scan(model, in, options);
  options.memory_budget = UINT64_MAX;
  const nlohmann::json kept = run_scan(model, in, options);
  for (const char* part : {"weights", "activations", "attention", "lifecycle", "summary"})
    EXPECT_EQ(released[part], kept[part]) << part;
}

// A job whose captures cannot fit is refused after layer 0 with what to reduce, never OOM-killed.
TEST(LayerSweep, CapturesPastTheAvailableMemoryAreRefused) {
  const Model& model = small_model();
  ScanInputs in;
  in.include_default = false;  // the model has no tokenizer
  for (const auto& w : windows(model)) in.id_lists.push_back({w.token_ids.begin(), w.token_ids.end()});
  ScanOptions options;
  options.quiet = true;
  options.memory_available = 1 << 20;  // 1 MiB: the captures of 4 inputs x 24 tokens x 4 layers need more
  try {
    run_scan(model, in, options);
    FAIL() << "no refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    const std::string message = e.what();
    EXPECT_NE(message.find("the captures of 4 inputs need"), std::string::npos) << message;
    EXPECT_NE(message.find("--max-windows, --max-tokens"), std::string::npos) << message;
  }
}

// Outlier entries past the memory the captures leave are refused, naming the threshold to raise.
TEST(LayerSweep, OutlierEntriesPastTheMemoryLeftAreRefused) {
  const Model& model = small_model();
  const std::vector<Capture> captures = sweep(model, UINT64_MAX).captures;
  ActivationThresholds t;
  t.rule = Rule::Relative;
  t.relative_to_median = 1.0;  // half of every layer's entries
  try {
    analyze_site(captures, "mlp_post", kMlpPost, t, /*routed=*/true, /*memory_left=*/kBytesPerOutlier);
    FAIL() << "no refusal";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("mlp_post: ", 0), 0u) << message;
    EXPECT_NE(message.find("raise --act-k"), std::string::npos) << message;
  }
  EXPECT_NO_THROW(analyze_site(captures, "mlp_post", kMlpPost, t, true, UINT64_MAX));
}

TEST(LayerSweep, BadMemoryBudgetIsAUsageError) {
  for (const char* bad : {"12X", "-5", "2000000T", ""}) {
    std::string output;
    const std::string cmd = test::cli_path() + " scan weights --memory-budget '" + bad + "' --out " +
                            test::scratch_dir("layer_sweep_bad") + "/out";
    EXPECT_EQ(test::run_command(cmd, &output), 2) << bad << ": " << output;
    EXPECT_NE(output.find("--memory-budget"), std::string::npos) << output;
  }
}

}  // namespace
}  // namespace osc::analysis
