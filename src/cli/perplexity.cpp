// `outlierscope perplexity MODEL --file F --ctx N [--stride S] [--json] [--convention paper|llamacpp]`:
//   paper    (default, the paper's / HF-GPTQ evaluation code): the whole text tokenized once (with
//            the model's BOS), cut into non-overlapping windows of N tokens (a partial last window
//            is dropped); every window scores its N-1 next-token predictions.
//   llamacpp (llama.cpp's perplexity): same windows, the first token of each replaced by BOS when
//            the model adds one, and only the second half scored (tokens N/2+1 .. N-1).
//   --stride S (Hugging Face's sliding-window evaluation, "Perplexity of fixed-length models"):
//            windows of up to N tokens start every S tokens, the last one ending at the end of the
//            text; each scores only the tokens no earlier window scored, so every token after the
//            first is scored exactly once, with up to N-S tokens of context before it.
// Perplexity = exp(total NLL / scored predictions), NLL accumulated in f64.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/stats.h"
#include "cli/command.h"
#include "core/atomic_write.h"
#include "core/error.h"
#include "core/progress.h"
#include "model/model.h"

namespace osc::cli {
namespace {

struct PerplexityArgs {
  std::string model, file, convention = "paper";
  int64_t ctx = 0, stride = 0;  // stride 0: non-overlapping windows
  bool as_json = false;
};

// Tokens [begin, end) run together; the predictions of targets [first_target, end) are scored.
struct Window {
  int64_t begin, end, first_target;
};

struct Totals {
  double nll = 0.0;
  int64_t scored = 0;
  double mean_nll() const { return nll / static_cast<double>(scored); }
};

// The position whose next-token prediction a window of n tokens scores first.
int64_t first_scored(int64_t n, bool llamacpp) { return llamacpp ? n / 2 : 0; }

std::vector<Window> fixed_windows(int64_t tokens, int64_t ctx, bool llamacpp) {
  std::vector<Window> out;
  for (int64_t begin = 0; begin + ctx <= tokens; begin += ctx)
    out.push_back({begin, begin + ctx, begin + (llamacpp ? ctx / 2 + 1 : 1)});
  return out;
}

std::vector<Window> sliding_windows(int64_t tokens, int64_t ctx, int64_t stride) {
  std::vector<Window> out;
  int64_t scored_up_to = 1;  // the first token has no prediction
  for (int64_t begin = 0; scored_up_to < tokens; begin += stride) {
    const int64_t end = std::min(begin + ctx, tokens);
    out.push_back({begin, end, std::max(scored_up_to, begin + 1)});
    scored_up_to = end;
  }
  return out;
}

void score_window(const Model& model, const std::vector<int32_t>& tokens, const Window& w, bool bos_first, Totals& totals) {
  const ModelConfig& c = model.config();
  std::vector<int32_t> input(tokens.begin() + w.begin, tokens.begin() + w.end);
  if (bos_first) input[0] = static_cast<int32_t>(c.bos_token_id);
  const Tensor logits = model.forward(input);  // [end - begin, vocab]
  for (int64_t target = w.first_target; target < w.end; ++target) {
    const int64_t pos = target - 1 - w.begin;  // the position whose logits predict `target`
    totals.nll += analysis::next_token_nll(logits.ptr() + pos * c.vocab_size, c.vocab_size, tokens[target]);
    ++totals.scored;
  }
}

std::string describe(const PerplexityArgs& a, size_t windows, int64_t scored) {
  char text[256];
  if (a.stride > 0)
    std::snprintf(text, sizeof text, "sliding windows of up to %lld tokens, stride %lld: %zu windows, %lld predictions scored",
                  static_cast<long long>(a.ctx), static_cast<long long>(a.stride), windows, static_cast<long long>(scored));
  else
    std::snprintf(text, sizeof text, "%s convention, %zu windows of %lld tokens, %lld predictions scored", a.convention.c_str(),
                  windows, static_cast<long long>(a.ctx), static_cast<long long>(scored));
  return text;
}

int run_perplexity(const PerplexityArgs& a) {
  OSC_CHECK_INPUT(a.convention == "paper" || a.convention == "llamacpp", "perplexity",
                  "--convention must be paper or llamacpp, got '" + a.convention + "'");
  const bool llamacpp = a.convention == "llamacpp";
  OSC_CHECK_INPUT(a.ctx - 1 - first_scored(a.ctx, llamacpp) > 0, "--ctx",
                  std::to_string(a.ctx) + " scores no prediction under the " + a.convention +
                      " convention (it scores the second half of each window); use --ctx 3 or more");
  OSC_CHECK_INPUT(a.stride <= a.ctx, "--stride",
                  std::to_string(a.stride) + " is longer than --ctx " + std::to_string(a.ctx) + " (tokens would go unscored)");
  OSC_CHECK_INPUT(a.stride == 0 || a.convention == "paper", "--stride", "is Hugging Face's evaluation; it does not combine with --convention llamacpp");
  const Model model = Model::load(a.model);
  const int64_t max_ctx = model.config().max_positions;
  OSC_CHECK_INPUT(max_ctx <= 0 || a.ctx <= max_ctx, "perplexity",
                  "--ctx " + std::to_string(a.ctx) + " is longer than the model's context of " + std::to_string(max_ctx) + " tokens");
  const std::vector<int32_t> tokens = model.encode(read_text_file(a.file));
  const int64_t n = static_cast<int64_t>(tokens.size());
  const std::vector<Window> windows = a.stride > 0 ? sliding_windows(n, a.ctx, a.stride) : fixed_windows(n, a.ctx, llamacpp);
  OSC_CHECK_INPUT(!windows.empty(), a.file,
                  "has " + std::to_string(n) + " tokens, " + (a.stride > 0 ? "fewer than 2" : "fewer than --ctx " + std::to_string(a.ctx)));
  const bool bos_first = llamacpp && model.config().add_bos && model.config().bos_token_id >= 0;
  Totals totals;
  Progress progress("perplexity", static_cast<int64_t>(windows.size()), "windows", false);
  char ppl_text[64] = "";
  for (size_t w = 0; w < windows.size(); ++w) {
    score_window(model, tokens, windows[w], bos_first, totals);
    std::snprintf(ppl_text, sizeof ppl_text, "ppl %.4f", std::exp(totals.mean_nll()));
    progress.update(static_cast<int64_t>(w + 1), ppl_text);
  }
  progress.finish(ppl_text);
  OSC_CHECK_INPUT(totals.scored > 0, a.file, "no prediction was scored (--ctx " + std::to_string(a.ctx) + " under the " + a.convention + " convention)");
  const double ppl = std::exp(totals.mean_nll());
  if (a.as_json) {
    nlohmann::json j = {{"perplexity", ppl},         {"mean_nll", totals.mean_nll()},
                        {"tokens", tokens.size()},   {"windows", windows.size()},
                        {"scored", totals.scored},   {"ctx", a.ctx},
                        {"convention", a.stride > 0 ? "sliding" : a.convention}, {"model", a.model},
                        {"file", a.file}};
    if (a.stride > 0) j["stride"] = a.stride;
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("perplexity %.4f (%s)\n", ppl, describe(a, windows.size(), totals.scored).c_str());
  }
  return 0;
}

const CommandRegistration registration(
    "perplexity", "Perplexity of a text file in non-overlapping or sliding windows", [](CLI::App& sub) {
      auto a = std::make_shared<PerplexityArgs>();
      sub.add_option("model", a->model, "GGUF file, HF model folder or llama2.c .bin")->required();
      sub.add_option("--file", a->file, "The text to score")->required();
      sub.add_option("--ctx", a->ctx, "Window length in tokens")->required();
      sub.add_option("--stride", a->stride,
                     "Sliding windows that start every S tokens, each scoring only tokens not scored before (Hugging Face's evaluation)");
      sub.add_option("--convention", a->convention, "paper (all predictions) or llamacpp (second half, BOS first)");
      sub.add_flag("--json", a->as_json, "Print one JSON object: perplexity, tokens, windows, convention");
      return [a]() { return run_perplexity(*a); };
    });

}  // namespace
}  // namespace osc::cli
