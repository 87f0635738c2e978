// Perplexity of a text in non-overlapping windows, the computation behind `outlierscope
// perplexity` and the Python module's perplexity():
//   paper    (the paper's / HF-GPTQ evaluation code): the whole text tokenized once (with the model's
//            BOS), cut into non-overlapping windows of ctx tokens (a partial last window is dropped);
//            every window scores its ctx-1 next-token predictions.
//   llamacpp (llama.cpp's perplexity): same windows, the first token of each replaced by BOS when the
//            model adds one, and only the second half scored (tokens ctx/2+1 .. ctx-1).
// Perplexity = exp(total NLL / scored predictions), NLL accumulated in f64.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model.h"

namespace osc::analysis {

struct PerplexityResult {
  double perplexity = 0.0, mean_nll = 0.0;
  int64_t tokens = 0, windows = 0, scored = 0, ctx = 0;
  std::string convention;
};

// Called once with 0 windows done before the first, then after each window with the perplexity so far.
using PerplexityProgress = std::function<void(int64_t windows_done, int64_t windows, double perplexity)>;

// BadInput for an unknown convention or ctx < 2 (checked before a model is loaded).
void check_perplexity_options(int64_t ctx, const std::string& convention);

// BadInput for an unknown convention, ctx < 2 or longer than the model's context, or a file with
// fewer than ctx tokens (naming the file).
PerplexityResult file_perplexity(const Model& model, const std::string& file, int64_t ctx,
                                 const std::string& convention, const PerplexityProgress& on_window = {});

// The CLI's --json object (with the model and file names).
nlohmann::json perplexity_json(const PerplexityResult& r, const std::string& model, const std::string& file);

}  // namespace osc::analysis
