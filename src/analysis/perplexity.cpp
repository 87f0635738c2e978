#include "analysis/perplexity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>

#include "analysis/stats.h"
#include "core/error.h"
#include "core/text_file.h"

namespace osc::analysis {
namespace {

// The position whose next-token prediction a window of n tokens scores first.
int64_t first_scored(int64_t n, bool llamacpp) { return llamacpp ? n / 2 : 0; }

std::vector<PerplexityWindow> fixed_windows(int64_t tokens, int64_t ctx, bool llamacpp) {
  std::vector<PerplexityWindow> out;
  for (int64_t begin = 0; begin + ctx <= tokens; begin += ctx)
    out.push_back({begin, begin + ctx, begin + first_scored(ctx, llamacpp) + 1});
  return out;
}

std::vector<PerplexityWindow> sliding_windows(int64_t tokens, int64_t ctx, int64_t stride) {
  std::vector<PerplexityWindow> out;
  int64_t scored_up_to = 1;  // the first token has no prediction
  for (int64_t begin = 0; scored_up_to < tokens; begin += stride) {
    const int64_t end = std::min(begin + ctx, tokens);
    out.push_back({begin, end, std::max(scored_up_to, begin + 1)});
    scored_up_to = end;
  }
  return out;
}

// model.forward as WindowPasses: each window's pass runs in `start`.
WindowPasses model_passes(const Model& model, bool check_finite, std::deque<Tensor>& done) {
  return {[&model, check_finite, &done](const std::vector<int32_t>& tokens) {
            HookSet hooks;
            if (check_finite) hooks.require_finite();
            done.push_back(model.forward(tokens, hooks));
          },
          [&done] {
            Tensor logits = std::move(done.front());
            done.pop_front();
            return logits;
          },
          1};
}

// Runs `step`; with check_finite, a BadInput (the first non-finite hook value) names window w (its
// tokens are numbered from the window's first).
template <typename Step>
auto in_window(const PerplexityWindow& w, bool check_finite, Step step) {
  try {
    return step();
  } catch (const Error& e) {
    if (!check_finite || e.kind() != ErrorKind::BadInput) throw;
    throw_bad_input("perplexity", "window of text tokens " + std::to_string(w.begin) + ".." + std::to_string(w.end - 1) + ": " + e.what());
  }
}

// The window's input tokens: the text's, the first replaced by BOS under llamacpp.
std::vector<int32_t> window_input(const std::vector<int32_t>& tokens, const PerplexityWindow& w, int32_t bos) {
  std::vector<int32_t> input(tokens.begin() + w.begin, tokens.begin() + w.end);
  if (bos >= 0) input[0] = bos;
  return input;
}

struct WindowScoring {
  int32_t bos;  // replaces each window's first token; -1: none
  int64_t vocab;
  bool check_finite;
};

// The NLL of `windows` of `tokens`, scored in order; up to passes.in_flight windows are started
// before the oldest is scored.
NllTotals score_windows(const std::vector<int32_t>& tokens, const std::vector<PerplexityWindow>& windows,
                        const WindowScoring& s, const WindowPasses& passes, const PerplexityProgress& on_window) {
  const int64_t count = static_cast<int64_t>(windows.size());
  NllTotals totals;
  size_t started = 0, scored = 0;
  if (on_window) on_window(0, count, 0.0);
  while (scored < windows.size()) {
    if (started < windows.size() && started - scored < passes.in_flight) {
      const PerplexityWindow& w = windows[started++];
      in_window(w, s.check_finite, [&] { passes.start(window_input(tokens, w, s.bos)); });
      continue;
    }
    const PerplexityWindow& w = windows[scored++];
    add_window_nll(in_window(w, s.check_finite, passes.next), tokens, w, s.vocab, totals);
    if (on_window) on_window(static_cast<int64_t>(scored), count, std::exp(totals.mean_nll()));
  }
  return totals;
}

}  // namespace

std::vector<PerplexityWindow> perplexity_windows(int64_t tokens, const PerplexityOptions& o) {
  return o.stride > 0 ? sliding_windows(tokens, o.ctx, o.stride) : fixed_windows(tokens, o.ctx, o.convention == "llamacpp");
}

void add_window_nll(const Tensor& logits, const std::vector<int32_t>& tokens, const PerplexityWindow& w,
                    int64_t vocab, NllTotals& totals) {
  for (int64_t target = w.first_target; target < w.end; ++target) {
    const int64_t pos = target - 1 - w.begin;  // the position whose logits predict `target`
    totals.nll += next_token_nll(logits.ptr() + pos * vocab, vocab, tokens[static_cast<size_t>(target)]);
    ++totals.scored;
  }
}

void check_perplexity_options(const PerplexityOptions& o) {
  OSC_CHECK_INPUT(o.convention == "paper" || o.convention == "llamacpp", "perplexity",
                  "--convention must be paper or llamacpp, got '" + o.convention + "'");
  const bool llamacpp = o.convention == "llamacpp";
  OSC_CHECK_INPUT(o.ctx - 1 - first_scored(o.ctx, llamacpp) > 0, "--ctx",
                  std::to_string(o.ctx) + " scores no prediction under the " + o.convention +
                      " convention (it scores the second half of each window); use --ctx 3 or more");
  OSC_CHECK_INPUT(o.stride >= 0 && o.stride <= o.ctx, "--stride",
                  std::to_string(o.stride) + " is not in 1..--ctx " + std::to_string(o.ctx) + " (tokens would go unscored)");
  OSC_CHECK_INPUT(o.stride == 0 || !llamacpp, "--stride",
                  "is Hugging Face's evaluation; it does not combine with --convention llamacpp");
}

PerplexityResult file_perplexity(const Model& model, const std::string& file, const PerplexityOptions& o,
                                 const PerplexityProgress& on_window, const WindowPasses& passes) {
  check_perplexity_options(o);
  const ModelConfig& c = model.config();
  OSC_CHECK_INPUT(c.max_positions <= 0 || o.ctx <= c.max_positions, "perplexity",
                  "--ctx " + std::to_string(o.ctx) + " is longer than the model's context of " +
                      std::to_string(c.max_positions) + " tokens");
  const std::vector<int32_t> tokens = model.encode(read_text_file(file));
  const int64_t n = static_cast<int64_t>(tokens.size());
  const bool llamacpp = o.convention == "llamacpp";
  const std::vector<PerplexityWindow> windows = perplexity_windows(n, o);
  OSC_CHECK_INPUT(!windows.empty(), file,
                  "has " + std::to_string(n) + " tokens, " + (o.stride > 0 ? "fewer than 2" : "fewer than --ctx " + std::to_string(o.ctx)));
  const int32_t bos = llamacpp && c.add_bos && c.bos_token_id >= 0 ? static_cast<int32_t>(c.bos_token_id) : -1;
  std::deque<Tensor> local_logits;
  const WindowPasses& run = passes.start ? passes : model_passes(model, o.check_finite, local_logits);
  const NllTotals totals = score_windows(tokens, windows, {bos, c.vocab_size, o.check_finite}, run, on_window);
  OSC_CHECK_INPUT(totals.scored > 0, file, "no prediction was scored (--ctx " + std::to_string(o.ctx) + " under the " + o.convention + " convention)");
  OSC_CHECK_INPUT(std::isfinite(totals.mean_nll()), file,
                  "the perplexity is not finite (the model's logits hold a NaN or Inf); --check-finite names where it first appears");
  PerplexityResult r;
  r.mean_nll = totals.mean_nll();
  r.perplexity = std::exp(r.mean_nll);
  r.tokens = n;
  r.windows = static_cast<int64_t>(windows.size());
  r.scored = totals.scored;
  r.ctx = o.ctx;
  r.stride = o.stride;
  r.convention = o.stride > 0 ? "sliding" : o.convention;
  return r;
}

std::string perplexity_description(const PerplexityResult& r) {
  char text[256];
  if (r.stride > 0)
    std::snprintf(text, sizeof text, "sliding windows of up to %lld tokens, stride %lld: %lld windows, %lld predictions scored",
                  static_cast<long long>(r.ctx), static_cast<long long>(r.stride), static_cast<long long>(r.windows),
                  static_cast<long long>(r.scored));
  else
    std::snprintf(text, sizeof text, "%s convention, %lld windows of %lld tokens, %lld predictions scored", r.convention.c_str(),
                  static_cast<long long>(r.windows), static_cast<long long>(r.ctx), static_cast<long long>(r.scored));
  return text;
}

nlohmann::json perplexity_json(const PerplexityResult& r, const std::string& model, const std::string& file) {
  nlohmann::json j = {{"perplexity", r.perplexity}, {"mean_nll", r.mean_nll}, {"tokens", r.tokens},
                      {"windows", r.windows},       {"scored", r.scored},     {"ctx", r.ctx},
                      {"convention", r.convention}, {"model", model},         {"file", file}};
  if (r.stride > 0) j["stride"] = r.stride;
  return j;
}

}  // namespace osc::analysis
