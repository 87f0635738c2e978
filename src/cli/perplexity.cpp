// `outlierscope perplexity MODEL --file F --ctx N [--stride S] [--json] [--convention paper|llamacpp]
// [--check-finite] [--in-flight N]` (conventions, sliding windows and formula: analysis/perplexity.h). Under
// `mpirun -np N` the layers are split over the ranks (pipeline/layer_pipeline.h), several windows are in
// the pipeline at once (--in-flight) and rank 0 reports.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "analysis/perplexity.h"
#include "cli/command.h"
#include "cli/compute_option.h"
#include "cli/dist_options.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "model/model.h"
#include "pipeline/layer_pipeline.h"

namespace osc::cli {
namespace {

struct PerplexityArgs {
  std::string model, file;
  analysis::PerplexityOptions options;
  bool as_json = false;
  double mpi_timeout = 0.0;
  std::string compute = "f32";
  size_t in_flight = 0;  // 0: one window per rank
};

int run_perplexity(const PerplexityArgs& a) {
  analysis::check_perplexity_options(a.options);
  dist::Session session;  // under mpirun/srun: one stage of a layer-pipelined pass
  dist::set_wait_limit(a.mpi_timeout);
  pipeline::LayerPipeline job(a.model, parse_compute(a.compute));
  HookSet window_hooks;  // every rank checks its own layers under --check-finite
  if (a.options.check_finite) window_hooks.require_finite();
  if (!job.is_front()) {  // another rank: runs its layers of every window rank 0 starts
    job.serve(window_hooks);
    return 0;
  }
  const Model& model = job.model();
  const analysis::WindowPasses passes = {  // several windows in the pipeline at once
      [&job, &window_hooks](const std::vector<int32_t>& tokens) { job.start(tokens, window_hooks); },
      [&job, &window_hooks] { return job.next(window_hooks); }, a.in_flight > 0 ? a.in_flight : job.in_flight_limit()};
  std::optional<Progress> progress;
  char ppl_text[64] = "";
  const analysis::PerplexityResult r = analysis::file_perplexity(
      model, a.file, a.options, [&progress, &ppl_text](int64_t done, int64_t windows, double ppl) {
        if (done == 0) return static_cast<void>(progress.emplace("perplexity", windows, "windows", false));
        std::snprintf(ppl_text, sizeof ppl_text, "ppl %.4f", ppl);
        progress->update(done, ppl_text);
      }, passes);
  job.finish(window_hooks, "perplexity");
  if (progress) progress->finish(ppl_text);
  if (a.as_json) std::cout << analysis::perplexity_json(r, a.model, a.file).dump(2) << "\n";
  else std::printf("perplexity %.4f (%s)\n", r.perplexity, analysis::perplexity_description(r).c_str());
  return 0;
}

const CommandRegistration registration(
    "perplexity", "Perplexity of a text file in non-overlapping or sliding windows", [](CLI::App& sub) {
      auto a = std::make_shared<PerplexityArgs>();
      sub.add_option("model", a->model, "GGUF file, HF model folder or llama2.c .bin")->required();
      sub.add_option("--file", a->file, "The text to score")->required();
      sub.add_option("--ctx", a->options.ctx, "Window length in tokens")->required();
      sub.add_option("--stride", a->options.stride,
                     "Sliding windows that start every S tokens, each scoring only tokens not scored before (Hugging Face's evaluation)");
      sub.add_option("--convention", a->options.convention, "paper (all predictions) or llamacpp (second half, BOS first)");
      sub.add_flag("--check-finite", a->options.check_finite,
                   "Fail (exit 2) at the first hook point with a NaN or Inf, naming the window, hook, token and channel");
      sub.add_flag("--json", a->as_json, "Print one JSON object: perplexity, tokens, windows, convention");
      add_compute_option(sub, a->compute);
      add_mpi_timeout_option(sub, a->mpi_timeout);
      add_in_flight_option(sub, a->in_flight);
      return [a]() { return run_perplexity(*a); };
    });

}  // namespace
}  // namespace osc::cli
