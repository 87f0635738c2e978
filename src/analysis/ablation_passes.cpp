#include "analysis/ablation_passes.h"

#include <algorithm>
#include <cmath>

#include "analysis/activation_rule.h"
#include "analysis/capture.h"
#include "analysis/stats.h"
#include "core/error.h"
#include "core/text_file.h"
#include "hooks/hook_vocabulary.h"
#include "model/forward.h"

namespace osc::analysis {
namespace {

double perplexity_of(const NllTotals& t) { return t.scored ? std::exp(t.mean_nll()) : NAN; }

nlohmann::json perplexity_value(double ppl) {
  if (std::isinf(ppl)) return "inf";
  if (!std::isfinite(ppl)) return nullptr;
  return ppl;
}

// The window's ctx-1 next-token predictions, as the perplexity's "paper" convention scores them.
void score(const Tensor& logits, const std::vector<int32_t>& tokens, int64_t vocab, NllTotals& t) {
  const int64_t n = static_cast<int64_t>(tokens.size());
  add_window_nll(logits, tokens, PerplexityWindow{0, n, 1}, vocab, t);
}

// The target channels' entries that are outliers in this window (same rule as the scan).
void find_entries(const Tensor& resid, const AblationTarget& target, const ActivationThresholds& t, AblationWindow& w,
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

HookSet interventions(const std::string& hook, const AblationWindow& w, const AblationTarget& target,
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

}  // namespace

std::vector<AblationWindow> ablation_windows(const Model& model, const AblationOptions& o) {
  std::vector<AblationWindow> out;
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

AblationPasses::AblationPasses(const Model& model, const AblationTarget& target, const ActivationThresholds& thresholds,
                               std::vector<AblationWindow>& windows)
    : model_(model), target_(target), thresholds_(thresholds), windows_(windows),
      hook_(osc::hook_name(target.layer, HookPoint::ResidPost)),
      sums_(target.channels.size(), 0.0), counts_(target.channels.size(), 0), means_(target.channels.size(), 0.0) {}

AblationPass& AblationPasses::new_original() {
  AblationPass& p = original_.emplace_back();
  p.hooks.require_finite();  // a perplexity from NaN logits is no measurement
  p.hooks.capture(hook_);
  return p;
}

void AblationPasses::embed_originals() {
  for (const AblationWindow& w : windows_) {
    AblationPass& p = new_original();
    p.x = forward_embed(model_.config(), model_.bound_weights(), w.tokens, p.hooks);
  }
}

void AblationPasses::add_original(Tensor x) { new_original().x = std::move(x); }

void AblationPasses::add_variants(Tensor zeroed, Tensor meaned) {
  zeroed_.push_back({HookSet(), std::move(zeroed)});
  meaned_.push_back({HookSet(), std::move(meaned)});
}

void AblationPasses::run_layer(int64_t l) {
  std::vector<Tensor> before;  // per window [T, d_model]: the originals' streams before the target layer
  if (l == target_.layer)
    for (const AblationPass& p : original_) before.push_back(p.x);
  through_layer(original_, l);
  if (l == target_.layer) start_variants(std::move(before));
  through_layer(zeroed_, l);
  through_layer(meaned_, l);
}

uint64_t AblationPasses::stream_bytes() const {
  uint64_t bytes = 0;
  for (const AblationPass& p : original_) bytes += 3 * static_cast<uint64_t>(p.x.numel()) * sizeof(float);
  return bytes;
}

void AblationPasses::score_all(NllTotals& original, NllTotals& zeroed, NllTotals& meaned) {
  score_heads(original_, original);
  score_heads(zeroed_, zeroed);
  score_heads(meaned_, meaned);
}

int64_t AblationPasses::n_entries() const {
  int64_t n = 0;
  for (const AblationWindow& w : windows_) n += static_cast<int64_t>(w.entries.size());
  return n;
}

void AblationPasses::through_layer(std::vector<AblationPass>& passes, int64_t l) {
  for (AblationPass& p : passes) forward_layers(model_.config(), model_.bound_weights(), p.hooks, {l, l + 1}, p.x);
}

// The originals' outlier entries and their means; the zeroed and mean passes from `before`.
void AblationPasses::start_variants(std::vector<Tensor> before) {
  for (size_t i = 0; i < windows_.size(); ++i)
    find_entries(original_[i].hooks.get(hook_), target_, thresholds_, windows_[i], sums_, counts_);
  for (size_t i = 0; i < sums_.size(); ++i) means_[i] = counts_[i] ? sums_[i] / static_cast<double>(counts_[i]) : 0.0;
  for (size_t i = 0; i < windows_.size(); ++i) {
    zeroed_.push_back({interventions(hook_, windows_[i], target_, means_, false), before[i]});
    meaned_.push_back({interventions(hook_, windows_[i], target_, means_, true), std::move(before[i])});
  }
}

void AblationPasses::score_heads(std::vector<AblationPass>& passes, NllTotals& totals) {
  const int64_t vocab = model_.config().vocab_size;
  for (size_t i = 0; i < passes.size(); ++i) {
    score(forward_head(model_.config(), model_.bound_weights(), passes[i].hooks, passes[i].x), windows_[i].tokens, vocab,
          totals);
    passes[i].x = Tensor();
  }
}

nlohmann::json ablation_json(const AblationOptions& options, const AblationTarget& target, const AblationResult& r) {
  return {{"files", options.files},
          {"n_windows", r.n_windows},
          {"n_tokens", r.original.scored},
          {"context", options.context},
          {"target", {{"hook", osc::hook_name(target.layer, HookPoint::ResidPost)}, {"layer", target.layer},
                      {"channels", target.channels}, {"positions", "outlier entries of each window"},
                      {"n_entries", r.n_entries}}},
          {"perplexity", {{"original", perplexity_value(perplexity_of(r.original))},
                          {"zero", perplexity_value(perplexity_of(r.zeroed))},
                          {"mean", perplexity_value(perplexity_of(r.meaned))}}},
          {"mean_values", r.means}};
}

}  // namespace osc::analysis
