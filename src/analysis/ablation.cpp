#include "analysis/ablation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/activation_rule.h"
#include "analysis/capture.h"
#include "analysis/perplexity.h"
#include "analysis/stats.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/text_file.h"
#include "hooks/hook_vocabulary.h"

namespace osc::analysis {
namespace {

struct Window {
  std::vector<int32_t> tokens;
  std::vector<std::pair<int64_t, int64_t>> entries;  // (position, channel) outliers of this window
};

double perplexity_of(const NllTotals& t) { return t.scored ? std::exp(t.mean_nll()) : NAN; }

// The window's ctx-1 next-token predictions, as the perplexity's "paper" convention scores them.
void score(const Tensor& logits, const std::vector<int32_t>& tokens, int64_t vocab, NllTotals& t) {
  const int64_t n = static_cast<int64_t>(tokens.size());
  add_window_nll(logits, tokens, PerplexityWindow{0, n, 1}, vocab, t);
}

// The perplexity's "paper" windows of each file (at most max_windows of them).
std::vector<Window> windows_of(const Model& model, const AblationOptions& o) {
  std::vector<Window> out;
  for (const auto& file : o.files) {
    const std::vector<int32_t> ids = model.encode(read_text_file(file));
    std::vector<PerplexityWindow> spans = perplexity_windows(static_cast<int64_t>(ids.size()), {o.context, 0, "paper"});
    OSC_CHECK_INPUT(!spans.empty(), file, "has " + std::to_string(ids.size()) + " tokens, fewer than the ablation context " +
                                              std::to_string(o.context));
    spans.resize(static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(spans.size()), o.max_windows)));
    for (const PerplexityWindow& s : spans) out.push_back({std::vector<int32_t>(ids.begin() + s.begin, ids.begin() + s.end), {}});
  }
  return out;
}

// The target channels' entries that are outliers in this window (same rule as the scan).
void find_entries(const Tensor& resid, const AblationTarget& target, const ActivationThresholds& t, Window& w,
                  std::vector<double>& sums, std::vector<int64_t>& counts) {
  const MatrixRef m = token_matrix(resid, "ablation resid_post");
  const double median = median_abs(m.data, m.rows * m.cols);
  std::vector<int64_t> flagged = activation_outlier_entries(m, median, t);
  std::sort(flagged.begin(), flagged.end());  // position order, as the interventions are listed
  for (int64_t e : flagged) {
    const int64_t p = e / m.cols, c = e % m.cols;
    const auto slot = std::find(target.channels.begin(), target.channels.end(), c);
    if (slot == target.channels.end()) continue;
    const size_t i = static_cast<size_t>(slot - target.channels.begin());
    w.entries.push_back({p, c});
    sums[i] += m.data[e];
    ++counts[i];
  }
}

HookSet interventions(const std::string& hook, const Window& w, const AblationTarget& target,
                      const std::vector<double>& means, bool to_mean) {
  HookSet hooks;
  for (const auto& [p, c] : w.entries) {
    Intervention iv;
    iv.hook = hook;
    iv.op = to_mean ? InterventionOp::Set : InterventionOp::Zero;
    const size_t slot = static_cast<size_t>(std::find(target.channels.begin(), target.channels.end(), c) - target.channels.begin());
    iv.value = to_mean ? means[slot] : 0.0;
    iv.token = p;
    iv.channel = c;
    hooks.intervene(iv);
  }
  return hooks;
}

nlohmann::json perplexity_value(double ppl) {
  if (std::isinf(ppl)) return "inf";
  if (!std::isfinite(ppl)) return nullptr;
  return ppl;
}

}  // namespace

nlohmann::json run_ablation(const Model& model, const AblationTarget& target, const AblationOptions& options,
                            const ActivationThresholds& thresholds) {
  OSC_CHECK_INPUT(options.context >= 2, "ablation", "the context must be at least 2 tokens");
  OSC_CHECK_INPUT(target.layer >= 0 && !target.channels.empty(), "ablation", "no activation outliers to ablate");
  const std::string hook = osc::hook_name(target.layer, HookPoint::ResidPost);
  const int64_t vocab = model.config().vocab_size;
  std::vector<Window> windows = windows_of(model, options);
  std::vector<double> sums(target.channels.size(), 0.0);
  std::vector<int64_t> counts(target.channels.size(), 0);
  NllTotals original, zeroed, meaned;
  Progress progress("ablation", static_cast<int64_t>(windows.size()) * 2, "passes", options.quiet);
  for (size_t i = 0; i < windows.size(); ++i) {  // pass 1: original perplexity, outlier entries, their mean
    HookSet hooks;
    hooks.require_finite();  // a perplexity from NaN logits is no measurement
    hooks.capture(hook);
    score(model.forward(windows[i].tokens, hooks), windows[i].tokens, vocab, original);
    find_entries(hooks.get(hook), target, thresholds, windows[i], sums, counts);
    progress.update(static_cast<int64_t>(i + 1));
  }
  std::vector<double> means(sums.size(), 0.0);
  for (size_t i = 0; i < sums.size(); ++i) means[i] = counts[i] ? sums[i] / static_cast<double>(counts[i]) : 0.0;
  int64_t n_entries = 0;
  for (size_t i = 0; i < windows.size(); ++i) {  // pass 2: the same windows with the entries edited
    HookSet zero = interventions(hook, windows[i], target, means, false);
    HookSet mean = interventions(hook, windows[i], target, means, true);
    score(model.forward(windows[i].tokens, zero), windows[i].tokens, vocab, zeroed);
    score(model.forward(windows[i].tokens, mean), windows[i].tokens, vocab, meaned);
    n_entries += static_cast<int64_t>(windows[i].entries.size());
    progress.update(static_cast<int64_t>(windows.size() + i + 1));
  }
  progress.finish();
  return {{"files", options.files},
          {"n_windows", windows.size()},
          {"n_tokens", original.scored},
          {"context", options.context},
          {"target", {{"hook", hook}, {"layer", target.layer}, {"channels", target.channels},
                      {"positions", "outlier entries of each window"}, {"n_entries", n_entries}}},
          {"perplexity", {{"original", perplexity_value(perplexity_of(original))},
                          {"zero", perplexity_value(perplexity_of(zeroed))},
                          {"mean", perplexity_value(perplexity_of(meaned))}}},
          {"mean_values", means}};
}

}  // namespace osc::analysis
