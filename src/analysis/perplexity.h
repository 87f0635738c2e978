// Perplexity of a text, the computation behind `outlierscope perplexity` and the Python module's
// perplexity():
//   paper    (default, the paper's / HF-GPTQ evaluation code): the whole text tokenized once (with
//            the model's BOS), cut into non-overlapping windows of ctx tokens (a partial last window
//            is dropped); every window scores its ctx-1 next-token predictions.
//   llamacpp (llama.cpp's perplexity): same windows, the first token of each replaced by BOS when
//            the model adds one, and only the second half scored (tokens ctx/2+1 .. ctx-1).
//   stride S (Hugging Face's sliding-window evaluation, "Perplexity of fixed-length models"):
//            windows of up to ctx tokens start every S tokens, the last one ending at the end of the
//            text; each scores only the tokens no earlier window scored, so every token after the
//            first is scored exactly once, with up to ctx-S tokens of context before it.
// Perplexity = exp(total NLL / scored predictions), NLL accumulated in f64.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model.h"

namespace osc::analysis {

struct PerplexityOptions {
  int64_t ctx = 0;
  int64_t stride = 0;  // 0: non-overlapping windows under `convention`
  std::string convention = "paper";
  bool check_finite = false;  // every hook point of every window checked for NaN / Inf (HookSet::require_finite)
};

struct PerplexityResult {
  double perplexity = 0.0, mean_nll = 0.0;
  int64_t tokens = 0, windows = 0, scored = 0, ctx = 0, stride = 0;
  std::string convention;  // "sliding" with a stride
};

// Called once with 0 windows done before the first, then after each window with the perplexity so far.
using PerplexityProgress = std::function<void(int64_t windows_done, int64_t windows, double perplexity)>;

// Tokens [begin, end) of a text run together; the predictions of targets [first_target, end) are scored.
struct PerplexityWindow {
  int64_t begin, end, first_target;
};

// f64 sums of the scored predictions' NLL (ablation.cpp scores its windows with these too).
struct NllTotals {
  double nll = 0.0;
  int64_t scored = 0;
  double mean_nll() const { return nll / static_cast<double>(scored); }
};

// The windows of a text of `tokens` tokens under `o` (options already checked).
std::vector<PerplexityWindow> perplexity_windows(int64_t tokens, const PerplexityOptions& o);
// Adds the NLL of w's targets: `logits` [end - begin, vocab] are the window's, `tokens` the text's.
void add_window_nll(const Tensor& logits, const std::vector<int32_t>& tokens, const PerplexityWindow& w,
                    int64_t vocab, NllTotals& totals);

// BadInput for an unknown convention, a ctx that scores nothing under it, or a stride longer than
// ctx or combined with llamacpp (checked before a model is loaded).
void check_perplexity_options(const PerplexityOptions& o);

// The passes that give windows' logits when not model.forward: `start` begins the pass of a
// window's tokens, `next` returns the logits [T, vocab] of the oldest window started and not yet
// returned. Up to `in_flight` windows are started before the oldest is taken: a layer-pipelined
// job (pipeline/layer_pipeline.h) keeps every rank busy that way, and checks finiteness on every
// rank itself. Empty: model.forward, one window at a time.
struct WindowPasses {
  std::function<void(const std::vector<int32_t>& tokens)> start;
  std::function<Tensor()> next;
  size_t in_flight = 1;
};

// Also BadInput for a ctx longer than the model's context, a file too short for one window
// (naming the file), a non-finite perplexity, and with check_finite the first non-finite hook value
// (window, hook, token, channel).
PerplexityResult file_perplexity(const Model& model, const std::string& file, const PerplexityOptions& o,
                                 const PerplexityProgress& on_window = {}, const WindowPasses& passes = {});

// One line: the windows and how many predictions were scored.
std::string perplexity_description(const PerplexityResult& r);

// The CLI's --json object (with the model and file names).
nlohmann::json perplexity_json(const PerplexityResult& r, const std::string& model, const std::string& file);

}  // namespace osc::analysis
