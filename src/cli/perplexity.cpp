// `outlierscope perplexity MODEL --file F --ctx N [--json] [--convention paper|llamacpp]`:
//   paper    (default, the paper's / HF-GPTQ evaluation code): the whole text tokenized once (with
//            the model's BOS), cut into non-overlapping windows of N tokens (a partial last window
//            is dropped); every window scores its N-1 next-token predictions.
//   llamacpp (llama.cpp's perplexity): same windows, the first token of each replaced by BOS when
//            the model adds one, and only the second half scored (tokens N/2+1 .. N-1).
// Perplexity = exp(total NLL / scored predictions), NLL accumulated in f64.
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
  int64_t ctx = 0;
  bool as_json = false;
};

struct Totals {
  double nll = 0.0;
  int64_t scored = 0;
};

// The position whose next-token prediction a window of n tokens scores first.
int64_t first_scored(int64_t n, bool llamacpp) { return llamacpp ? n / 2 : 0; }

void score_window(const Model& model, std::vector<int32_t> window, bool llamacpp, Totals& totals) {
  const ModelConfig& c = model.config();
  const std::vector<int32_t> targets = window;
  if (llamacpp && c.add_bos && c.bos_token_id >= 0) window[0] = static_cast<int32_t>(c.bos_token_id);
  const Tensor logits = model.forward(window);  // [ctx, vocab]
  const int64_t n = static_cast<int64_t>(window.size());
  const int64_t first = first_scored(n, llamacpp);
  for (int64_t pos = first; pos + 1 < n; ++pos) {
    totals.nll += analysis::next_token_nll(logits.ptr() + pos * c.vocab_size, c.vocab_size, targets[pos + 1]);
    ++totals.scored;
  }
}

int run_perplexity(const PerplexityArgs& a) {
  OSC_CHECK_INPUT(a.convention == "paper" || a.convention == "llamacpp", "perplexity",
                  "--convention must be paper or llamacpp, got '" + a.convention + "'");
  const bool llamacpp = a.convention == "llamacpp";
  OSC_CHECK_INPUT(a.ctx - 1 - first_scored(a.ctx, llamacpp) > 0, "--ctx",
                  std::to_string(a.ctx) + " scores no prediction under the " + a.convention +
                      " convention (it scores the second half of each window); use --ctx 3 or more");
  const Model model = Model::load(a.model);
  const int64_t max_ctx = model.config().max_positions;
  OSC_CHECK_INPUT(max_ctx <= 0 || a.ctx <= max_ctx, "perplexity",
                  "--ctx " + std::to_string(a.ctx) + " is longer than the model's context of " + std::to_string(max_ctx) + " tokens");
  const std::vector<int32_t> tokens = model.encode(read_text_file(a.file));
  const int64_t windows = static_cast<int64_t>(tokens.size()) / a.ctx;
  OSC_CHECK_INPUT(windows > 0, a.file, "has " + std::to_string(tokens.size()) + " tokens, fewer than --ctx " + std::to_string(a.ctx));
  Totals totals;
  Progress progress("perplexity", windows, "windows", false);
  for (int64_t w = 0; w < windows; ++w) {
    score_window(model, std::vector<int32_t>(tokens.begin() + w * a.ctx, tokens.begin() + (w + 1) * a.ctx),
                 llamacpp, totals);
    char extra[64];
    std::snprintf(extra, sizeof extra, "ppl %.4f", std::exp(totals.nll / static_cast<double>(totals.scored)));
    progress.update(w + 1, extra);
  }
  progress.finish();
  OSC_CHECK_INPUT(totals.scored > 0, a.file, "no prediction was scored");
  const double ppl = std::exp(totals.nll / static_cast<double>(totals.scored));
  if (a.as_json) {
    nlohmann::json j = {{"perplexity", ppl},        {"mean_nll", totals.nll / static_cast<double>(totals.scored)},
                        {"tokens", tokens.size()},  {"windows", windows},
                        {"scored", totals.scored},  {"ctx", a.ctx},
                        {"convention", a.convention}, {"model", a.model},
                        {"file", a.file}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("perplexity %.4f (%s convention, %lld windows of %lld tokens, %lld predictions scored)\n", ppl,
                a.convention.c_str(), static_cast<long long>(windows), static_cast<long long>(a.ctx),
                static_cast<long long>(totals.scored));
  }
  return 0;
}

const CommandRegistration registration(
    "perplexity", "Perplexity of a text file in non-overlapping windows", [](CLI::App& sub) {
      auto a = std::make_shared<PerplexityArgs>();
      sub.add_option("model", a->model, "GGUF file, HF model folder or llama2.c .bin")->required();
      sub.add_option("--file", a->file, "The text to score")->required();
      sub.add_option("--ctx", a->ctx, "Window length in tokens")->required();
      sub.add_option("--convention", a->convention, "paper (all predictions) or llamacpp (second half, BOS first)");
      sub.add_flag("--json", a->as_json, "Print one JSON object: perplexity, tokens, windows, convention");
      return [a]() { return run_perplexity(*a); };
    });

}  // namespace
}  // namespace osc::cli
