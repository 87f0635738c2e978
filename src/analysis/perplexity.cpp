#include "analysis/perplexity.h"

#include <cmath>

#include "analysis/stats.h"
#include "core/atomic_write.h"
#include "core/error.h"

namespace osc::analysis {
namespace {

struct Totals {
  double nll = 0.0;
  int64_t scored = 0;
};

void score_window(const Model& model, std::vector<int32_t> window, bool llamacpp, Totals& totals) {
  const ModelConfig& c = model.config();
  const std::vector<int32_t> targets = window;
  if (llamacpp && c.add_bos && c.bos_token_id >= 0) window[0] = static_cast<int32_t>(c.bos_token_id);
  const Tensor logits = model.forward(window);  // [ctx, vocab]
  const int64_t n = static_cast<int64_t>(window.size());
  const int64_t first = llamacpp ? n / 2 : 0;  // position whose prediction is scored first
  for (int64_t pos = first; pos + 1 < n; ++pos) {
    totals.nll += next_token_nll(logits.ptr() + pos * c.vocab_size, c.vocab_size, targets[pos + 1]);
    ++totals.scored;
  }
}

}  // namespace

void check_perplexity_options(int64_t ctx, const std::string& convention) {
  OSC_CHECK_INPUT(convention == "paper" || convention == "llamacpp", "perplexity",
                  "--convention must be paper or llamacpp, got '" + convention + "'");
  OSC_CHECK_INPUT(ctx >= 2, "perplexity", "--ctx must be at least 2");
}

PerplexityResult file_perplexity(const Model& model, const std::string& file, int64_t ctx,
                                 const std::string& convention, const PerplexityProgress& on_window) {
  check_perplexity_options(ctx, convention);
  const int64_t max_ctx = model.config().max_positions;
  OSC_CHECK_INPUT(max_ctx <= 0 || ctx <= max_ctx, "perplexity",
                  "--ctx " + std::to_string(ctx) + " is longer than the model's context of " + std::to_string(max_ctx) + " tokens");
  const std::vector<int32_t> tokens = model.encode(read_text_file(file));
  const int64_t windows = static_cast<int64_t>(tokens.size()) / ctx;
  OSC_CHECK_INPUT(windows > 0, file, "has " + std::to_string(tokens.size()) + " tokens, fewer than --ctx " + std::to_string(ctx));
  Totals totals;
  if (on_window) on_window(0, windows, 0.0);
  for (int64_t w = 0; w < windows; ++w) {
    score_window(model, std::vector<int32_t>(tokens.begin() + w * ctx, tokens.begin() + (w + 1) * ctx),
                 convention == "llamacpp", totals);
    if (on_window) on_window(w + 1, windows, std::exp(totals.nll / static_cast<double>(totals.scored)));
  }
  PerplexityResult r;
  r.mean_nll = totals.nll / static_cast<double>(totals.scored);
  r.perplexity = std::exp(r.mean_nll);
  r.tokens = static_cast<int64_t>(tokens.size());
  r.windows = windows;
  r.scored = totals.scored;
  r.ctx = ctx;
  r.convention = convention;
  return r;
}

nlohmann::json perplexity_json(const PerplexityResult& r, const std::string& model, const std::string& file) {
  return {{"perplexity", r.perplexity}, {"mean_nll", r.mean_nll}, {"tokens", r.tokens},
          {"windows", r.windows},       {"scored", r.scored},     {"ctx", r.ctx},
          {"convention", r.convention}, {"model", model},         {"file", file}};
}

}  // namespace osc::analysis
