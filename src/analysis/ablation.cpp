#include "analysis/ablation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/activation_rule.h"
#include "analysis/capture.h"
#include "analysis/perplexity.h"
#include "analysis/stats.h"
#include "core/error.h"
#include "core/text_file.h"
#include "hooks/hook_vocabulary.h"
#include "model/forward.h"

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

// One pass of a window between layers: its hooks and its residual stream [T, d_model].
struct Pass {
  HookSet hooks;
  Tensor x;
};

// The three passes of every window, layer-major, and what pass 1 finds at the target layer.
class LayerMajorAblation {
 public:
  LayerMajorAblation(const Model& model, const AblationTarget& target, const ActivationThresholds& thresholds,
                     std::vector<Window>& windows)
      : model_(model), target_(target), thresholds_(thresholds), windows_(windows),
        hook_(osc::hook_name(target.layer, HookPoint::ResidPost)),
        sums_(target.channels.size(), 0.0), counts_(target.channels.size(), 0), means_(target.channels.size(), 0.0) {
    for (const Window& w : windows_) {
      Pass p;
      p.hooks.require_finite();  // a perplexity from NaN logits is no measurement
      p.hooks.capture(hook_);
      p.x = forward_embed(model_.config(), model_.bound_weights(), w.tokens, p.hooks);
      original_.push_back(std::move(p));
    }
  }

  // Every pass through layer l; at the target layer the zeroed and mean passes join.
  void run_layer(int64_t l) {
    std::vector<Tensor> before;  // per window [T, d_model]: the originals' streams before the target layer
    if (l == target_.layer)
      for (const Pass& p : original_) before.push_back(p.x);
    through_layer(original_, l);
    if (l == target_.layer) start_variants(std::move(before));
    through_layer(zeroed_, l);
    through_layer(meaned_, l);
  }

  // The residual streams the passes will hold at once (what the memory budget counts besides weights).
  uint64_t stream_bytes() const {
    uint64_t bytes = 0;
    for (const Pass& p : original_) bytes += 3 * static_cast<uint64_t>(p.x.numel()) * sizeof(float);
    return bytes;
  }

  // The head of every pass, scored in window order per variant (the order of the f64 additions of
  // three forwards per window, window after window).
  void score_all(NllTotals& original, NllTotals& zeroed, NllTotals& meaned) {
    score_heads(original_, original);
    score_heads(zeroed_, zeroed);
    score_heads(meaned_, meaned);
  }

  const std::vector<double>& means() const { return means_; }

 private:
  void through_layer(std::vector<Pass>& passes, int64_t l) {
    for (Pass& p : passes) forward_layers(model_.config(), model_.bound_weights(), p.hooks, {l, l + 1}, p.x);
  }

  // Pass 1's outlier entries and their means; the zeroed and mean passes from `before`.
  void start_variants(std::vector<Tensor> before) {
    for (size_t i = 0; i < windows_.size(); ++i)
      find_entries(original_[i].hooks.get(hook_), target_, thresholds_, windows_[i], sums_, counts_);
    for (size_t i = 0; i < sums_.size(); ++i) means_[i] = counts_[i] ? sums_[i] / static_cast<double>(counts_[i]) : 0.0;
    for (size_t i = 0; i < windows_.size(); ++i) {
      zeroed_.push_back({interventions(hook_, windows_[i], target_, means_, false), before[i]});
      meaned_.push_back({interventions(hook_, windows_[i], target_, means_, true), std::move(before[i])});
    }
  }

  void score_heads(std::vector<Pass>& passes, NllTotals& totals) {
    const int64_t vocab = model_.config().vocab_size;
    for (size_t i = 0; i < passes.size(); ++i) {
      score(forward_head(model_.config(), model_.bound_weights(), passes[i].hooks, passes[i].x), windows_[i].tokens, vocab,
            totals);
      passes[i].x = Tensor();
    }
  }

  const Model& model_;
  const AblationTarget& target_;
  const ActivationThresholds& thresholds_;
  std::vector<Window>& windows_;
  const std::string hook_;
  std::vector<double> sums_;
  std::vector<int64_t> counts_;
  std::vector<double> means_;
  std::vector<Pass> original_, zeroed_, meaned_;
};

nlohmann::json perplexity_value(double ppl) {
  if (std::isinf(ppl)) return "inf";
  if (!std::isfinite(ppl)) return nullptr;
  return ppl;
}

}  // namespace

nlohmann::json run_ablation(const Model& model, const AblationTarget& target, const AblationOptions& options,
                            const ActivationThresholds& thresholds, PageRelease* released) {
  OSC_CHECK_INPUT(options.context >= 2, "ablation", "the context must be at least 2 tokens");
  OSC_CHECK_INPUT(target.layer >= 0 && !target.channels.empty(), "ablation", "no activation outliers to ablate");
  const std::string hook = osc::hook_name(target.layer, HookPoint::ResidPost);
  std::vector<Window> windows = windows_of(model, options);
  LayerMajorAblation passes(model, target, thresholds, windows);
  LayerLoop loop;
  loop.label = "ablation";
  loop.quiet = options.quiet;
  loop.run_layer = [&passes](int64_t l) { passes.run_layer(l); };
  loop.over_budget = [&] { return exceeds_budget(model, passes.stream_bytes(), options.memory_budget); };
  PageRelease pages = visit_layers(model, loop);
  NllTotals original, zeroed, meaned;
  passes.score_all(original, zeroed, meaned);
  release_rest(model, pages);
  if (released) *released = pages;
  int64_t n_entries = 0;
  for (const Window& w : windows) n_entries += static_cast<int64_t>(w.entries.size());
  return {{"files", options.files},
          {"n_windows", windows.size()},
          {"n_tokens", original.scored},
          {"context", options.context},
          {"target", {{"hook", hook}, {"layer", target.layer}, {"channels", target.channels},
                      {"positions", "outlier entries of each window"}, {"n_entries", n_entries}}},
          {"perplexity", {{"original", perplexity_value(perplexity_of(original))},
                          {"zero", perplexity_value(perplexity_of(zeroed))},
                          {"mean", perplexity_value(perplexity_of(meaned))}}},
          {"mean_values", passes.means()}};
}

}  // namespace osc::analysis
