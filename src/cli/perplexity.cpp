// `outlierscope perplexity MODEL --file F --ctx N [--json] [--convention paper|llamacpp]`:
// (conventions and formula: analysis/perplexity.h).
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "analysis/perplexity.h"
#include "cli/command.h"
#include "core/progress.h"
#include "model/model.h"

namespace osc::cli {
namespace {

struct PerplexityArgs {
  std::string model, file, convention = "paper";
  int64_t ctx = 0;
  bool as_json = false;
};

int run_perplexity(const PerplexityArgs& a) {
  analysis::check_perplexity_options(a.ctx, a.convention);
  const Model model = Model::load(a.model);
  std::optional<Progress> progress;
  const analysis::PerplexityResult r = analysis::file_perplexity(
      model, a.file, a.ctx, a.convention, [&progress](int64_t done, int64_t windows, double ppl) {
        if (done == 0) return static_cast<void>(progress.emplace("perplexity", windows, "windows", false));
        char extra[64];
        std::snprintf(extra, sizeof extra, "ppl %.4f", ppl);
        progress->update(done, extra);
      });
  if (progress) progress->finish();
  if (a.as_json) {
    std::cout << analysis::perplexity_json(r, a.model, a.file).dump(2) << "\n";
  } else {
    std::printf("perplexity %.4f (%s convention, %lld windows of %lld tokens, %lld predictions scored)\n", r.perplexity,
                a.convention.c_str(), static_cast<long long>(r.windows), static_cast<long long>(r.ctx),
                static_cast<long long>(r.scored));
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
