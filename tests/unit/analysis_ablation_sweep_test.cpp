// The layer-major ablation (analysis/ablation.h) on the real stories260K model and Tiny
// Shakespeare: its three perplexities, means and entry count equal, to the bit, those of the
// window-major passes it replaced (three model.forward per window, window after window: the
// forward whose numbers the model tests check against PyTorch, scored by add_window_nll in the
// same order), and under a memory budget of one layer it gives back every finished layer's pages
// with the same perplexities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "analysis/ablation.h"
#include "analysis/activation_rule.h"
#include "analysis/capture.h"
#include "analysis/model_capture.h"
#include "analysis/perplexity.h"
#include "analysis/stats.h"
#include "core/text_file.h"
#include "hooks/hook_vocabulary.h"
#include "model/weight_pages.h"
#include "support/shared_data.h"

namespace osc::analysis {
namespace {

constexpr int64_t kContext = 64, kWindows = 4, kLayer = 1;

struct AblationCase {
  std::string model_path = test::shared_path("testdata/stories260K/stories260K.gguf");
  std::string corpus = test::shared_path("corpora/tinyshakespeare/input.txt");
  AblationTarget target;
  AblationOptions options;
  ActivationThresholds thresholds;
};

AblationCase ablation_case(int64_t d_model) {
  AblationCase s;
  s.target.layer = kLayer;
  for (int64_t c = 0; c < d_model; ++c) s.target.channels.push_back(c);
  s.options = {{s.corpus}, kContext, kWindows};
  s.options.quiet = true;
  s.thresholds.rule = Rule::Relative;
  s.thresholds.relative_to_median = 4.0;  // many entries, so that zeroing them changes the perplexity
  return s;
}

// The window-major reference: pass 1 over every window (original perplexity, outlier entries of
// the target channels in position order, their sums), then the zeroed and mean passes per window.
struct Reference {
  double original, zero, mean;
  std::vector<double> means;
  int64_t n_entries = 0;
};

Reference window_major(const Model& model, const AblationCase& s) {
  const std::string hook = hook_name(kLayer, HookPoint::ResidPost);
  const std::vector<int32_t> ids = model.encode(read_text_file(s.corpus));
  std::vector<PerplexityWindow> spans = perplexity_windows(static_cast<int64_t>(ids.size()), {kContext, 0, "paper"});
  spans.resize(kWindows);
  const int64_t vocab = model.config().vocab_size;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> entries(kWindows);
  std::vector<double> sums(s.target.channels.size(), 0.0);
  std::vector<int64_t> counts(s.target.channels.size(), 0);
  NllTotals original, zero, mean;
  for (size_t w = 0; w < spans.size(); ++w) {
    const std::vector<int32_t> tokens(ids.begin() + spans[w].begin, ids.begin() + spans[w].end);
    HookSet hooks;
    hooks.capture(hook);
    add_window_nll(model.forward(tokens, hooks), tokens, {0, kContext, 1}, vocab, original);
    const MatrixRef m = token_matrix(hooks.get(hook), hook);
    std::vector<int64_t> flagged = activation_outlier_entries(m, median_abs(m.data, m.rows * m.cols), s.thresholds);
    std::sort(flagged.begin(), flagged.end());
    for (int64_t e : flagged) {  // every channel is a target channel, in channel order
      entries[w].push_back({e / m.cols, e % m.cols});
      sums[static_cast<size_t>(e % m.cols)] += m.data[e];
      ++counts[static_cast<size_t>(e % m.cols)];
    }
  }
  Reference r;
  for (size_t c = 0; c < sums.size(); ++c) r.means.push_back(counts[c] ? sums[c] / static_cast<double>(counts[c]) : 0.0);
  for (size_t w = 0; w < spans.size(); ++w) {
    const std::vector<int32_t> tokens(ids.begin() + spans[w].begin, ids.begin() + spans[w].end);
    HookSet zeroed, meaned;
    for (const auto& [p, c] : entries[w]) {
      zeroed.intervene({hook, InterventionOp::Zero, 0.0, p, c});
      meaned.intervene({hook, InterventionOp::Set, r.means[static_cast<size_t>(c)], p, c});
    }
    add_window_nll(model.forward(tokens, zeroed), tokens, {0, kContext, 1}, vocab, zero);
    add_window_nll(model.forward(tokens, meaned), tokens, {0, kContext, 1}, vocab, mean);
    r.n_entries += static_cast<int64_t>(entries[w].size());
  }
  r.original = std::exp(original.mean_nll());
  r.zero = std::exp(zero.mean_nll());
  r.mean = std::exp(mean.mean_nll());
  return r;
}

void expect_equals_reference(const nlohmann::json& section, const Reference& r) {
  EXPECT_EQ(section["perplexity"]["original"].get<double>(), r.original);
  EXPECT_EQ(section["perplexity"]["zero"].get<double>(), r.zero);
  EXPECT_EQ(section["perplexity"]["mean"].get<double>(), r.mean);
  EXPECT_EQ(section["mean_values"].get<std::vector<double>>(), r.means);
  EXPECT_EQ(section["target"]["n_entries"].get<int64_t>(), r.n_entries);
}

TEST(AblationSweep, EqualsTheWindowMajorPasses) {
  const AblationCase probe;
  OSC_REQUIRE_SHARED(probe.model_path);
  OSC_REQUIRE_SHARED(probe.corpus);
  const Model model = Model::load(probe.model_path);
  const AblationCase s = ablation_case(model.config().d_model);
  const Reference reference = window_major(model, s);
  ASSERT_GT(reference.n_entries, 0);
  EXPECT_NE(reference.zero, reference.original);  // the interventions do something
  expect_equals_reference(run_ablation(model, s.target, s.options, s.thresholds), reference);
}

TEST(AblationSweep, OneLayerBudgetGivesBackEveryLayerWithTheSamePerplexities) {
  const AblationCase probe;
  OSC_REQUIRE_SHARED(probe.model_path);
  OSC_REQUIRE_SHARED(probe.corpus);
  const Model model = Model::load(probe.model_path);
  AblationCase s = ablation_case(model.config().d_model);
  const int64_t n_layers = model.config().n_layers;
  const uint64_t one_layer = total_bytes(layer_byte_ranges(model.weights(), 0));
  s.options.memory_budget = one_layer;  // smaller than two layers
  PageRelease released;
  const nlohmann::json section = run_ablation(model, s.target, s.options, s.thresholds, &released);
  EXPECT_TRUE(released.releases_pages);
  EXPECT_EQ(released.layers_released, n_layers);
  EXPECT_GT(released.bytes_released, static_cast<uint64_t>(n_layers) * one_layer * 9 / 10);
  // The mapped matrices of each layer (about 40 pages): norms are converted copies, and GGUF's q
  // and k rows are put back in Hugging Face order in owned buffers, which release_pages leaves
  // alone. A page fault maps in the cached pages around it (fault-around, 16 pages), so the
  // reads of the next layer and the head may bring back a few pages at a tensor's edges.
  const LayerWeights weights = model_linear_weights(model);
  constexpr uint64_t kFaultAround = 16;
  for (int64_t l = 0; l < n_layers; ++l) {
    std::vector<ByteRange> mapped;
    for (const auto& lw : weights[static_cast<size_t>(l)])
      if (lw.module != "q" && lw.module != "k") mapped.push_back({static_cast<const uint8_t*>(lw.view.data), lw.view.nbytes});
    ASSERT_GT(total_bytes(mapped) / 4096, 2 * kFaultAround);
    EXPECT_LE(resident_pages(mapped), kFaultAround) << "layer " << l;
  }
  expect_equals_reference(section, window_major(model, s));
}

}  // namespace
}  // namespace osc::analysis
