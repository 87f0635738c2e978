// The pieces of the ablation (ablation.h) that run where the layers are: its windows, the three
// passes of every window layer by layer, and the report section from the results. run_ablation
// runs them over every layer in one process; pipeline/stage_ablation.h over each rank's layers.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/ablation.h"
#include "analysis/perplexity.h"
#include "hooks/hook_set.h"

namespace osc::analysis {

struct AblationWindow {
  std::vector<int32_t> tokens;
  std::vector<std::pair<int64_t, int64_t>> entries;  // (position, channel) outliers of this window
};

// The perplexity's "paper" windows of each file (at most max_windows of them). BadInput when a
// file has fewer tokens than the context.
std::vector<AblationWindow> ablation_windows(const Model& model, const AblationOptions& options);

// One pass of a window between layers: its hooks and its residual stream [T, d_model].
struct AblationPass {
  HookSet hooks;
  Tensor x;
};

// The three passes (original, zeroed, mean) of every window, layer-major, and what the originals
// find at the target layer: there the entries and means come from all windows, and the zeroed and
// mean passes start from the originals' streams before that layer (up to it they are the same).
class AblationPasses {
 public:
  AblationPasses(const Model& model, const AblationTarget& target, const ActivationThresholds& thresholds,
                 std::vector<AblationWindow>& windows);

  // The originals from the windows' tokens (the embeddings).
  void embed_originals();
  // A window's passes as they leave the layers before this model's first: its original [T, d_model],
  // and past the target layer its zeroed and mean streams (their interventions are behind them).
  void add_original(Tensor x);
  void add_variants(Tensor zeroed, Tensor meaned);

  // Every pass through layer l; at the target layer the zeroed and mean passes join.
  void run_layer(int64_t l);
  // The residual streams the passes will hold at once (what the memory budget counts besides weights).
  uint64_t stream_bytes() const;
  // The head of every pass, scored in window order per variant (the order of the f64 additions of
  // three forwards per window, window after window).
  void score_all(NllTotals& original, NllTotals& zeroed, NllTotals& meaned);

  std::vector<AblationPass>& originals() { return original_; }
  std::vector<AblationPass>& zeroed() { return zeroed_; }
  std::vector<AblationPass>& meaned() { return meaned_; }
  const std::vector<double>& means() const { return means_; }
  int64_t n_entries() const;

 private:
  AblationPass& new_original();
  void through_layer(std::vector<AblationPass>& passes, int64_t l);
  void start_variants(std::vector<Tensor> before);
  void score_heads(std::vector<AblationPass>& passes, NllTotals& totals);

  const Model& model_;
  const AblationTarget& target_;
  const ActivationThresholds& thresholds_;
  std::vector<AblationWindow>& windows_;
  const std::string hook_;
  std::vector<double> sums_;
  std::vector<int64_t> counts_;
  std::vector<double> means_;
  std::vector<AblationPass> original_, zeroed_, meaned_;
};

// What the passes measured, wherever they ran.
struct AblationResult {
  size_t n_windows = 0;
  int64_t n_entries = 0;
  NllTotals original, zeroed, meaned;
  std::vector<double> means;  // per target channel
};

// The "ablation" report section (docs/report-schema.md).
nlohmann::json ablation_json(const AblationOptions& options, const AblationTarget& target, const AblationResult& r);

}  // namespace osc::analysis
