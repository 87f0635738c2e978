#include "analysis/ablation.h"

#include "analysis/ablation_passes.h"
#include "core/error.h"

namespace osc::analysis {

nlohmann::json run_ablation(const Model& model, const AblationTarget& target, const AblationOptions& options,
                            const ActivationThresholds& thresholds, PageRelease* released) {
  OSC_CHECK_INPUT(options.context >= 2, "ablation", "the context must be at least 2 tokens");
  OSC_CHECK_INPUT(target.layer >= 0 && !target.channels.empty(), "ablation", "no activation outliers to ablate");
  std::vector<AblationWindow> windows = ablation_windows(model, options);
  AblationPasses passes(model, target, thresholds, windows);
  passes.embed_originals();
  LayerLoop loop;
  loop.label = "ablation";
  loop.quiet = options.quiet;
  loop.run_layer = [&passes](int64_t l) { passes.run_layer(l); };
  loop.over_budget = [&] { return exceeds_budget(model, passes.stream_bytes(), options.memory_budget); };
  PageRelease pages = visit_layers(model, loop);
  AblationResult r;
  passes.score_all(r.original, r.zeroed, r.meaned);
  release_rest(model, pages);
  if (released) *released = pages;
  r.n_windows = windows.size();
  r.n_entries = passes.n_entries();
  r.means = passes.means();
  return ablation_json(options, target, r);
}

}  // namespace osc::analysis
