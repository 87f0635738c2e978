// `outlierscope generate MODEL --prompt "..." -n N [--temperature T --top-k K --top-p P --seed S]`:
// continues a prompt, greedily by default (argmax at each step), sampling as Hugging Face does
// when a temperature is given (model/sampling.h); stops at EOS or at the model's context length,
// and says so when the context cut the continuation short.
// The prompt runs in one pass that fills a KV cache; each later step runs only the newest token.
// Under `mpirun -np N` the layers are split over the ranks (pipeline/layer_pipeline.h): each rank
// keeps the KV cache of its own layers, and rank 0 samples and prints.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/compute_option.h"
#include "cli/dist_options.h"
#include "core/error.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "model/model.h"
#include "model/sampling.h"
#include "pipeline/layer_pipeline.h"

namespace osc::cli {
namespace {

struct GenerateArgs {
  std::string model, prompt;
  int64_t steps = 32;
  SamplingOptions sampling;
  uint64_t seed = 0;
  bool no_cache = false;
  double mpi_timeout = 0.0;
  std::string compute = "f32";
};

int run_generate(const GenerateArgs& a) {
  OSC_CHECK_INPUT(a.sampling.temperature > 0.0 || (a.sampling.top_k == 0 && a.sampling.top_p == 1.0), "generate",
                  "--top-k and --top-p filter sampling: give a --temperature above 0 too (0 is greedy)");
  dist::Session session;  // under mpirun/srun: one stage of a layer-pipelined pass
  dist::set_wait_limit(a.mpi_timeout);
  pipeline::LayerPipeline job(a.model, parse_compute(a.compute));
  HookSet hooks;  // none: the pipeline's passes take a hook set on every rank
  if (!job.is_front()) {  // another rank: runs its layers of every step rank 0 starts
    job.serve(hooks);
    return 0;
  }
  const Model& model = job.model();
  const Tokenizer& tok = model.require_tokenizer();
  std::vector<int32_t> ids = model.encode(a.prompt);
  const int64_t ctx = model.config().max_positions;
  OSC_CHECK_INPUT(ctx <= 0 || static_cast<int64_t>(ids.size()) <= ctx, "generate",
                  "the prompt has " + std::to_string(ids.size()) + " tokens but the model's context is " +
                      std::to_string(ctx) + " tokens");
  std::mt19937_64 rng(a.seed);
  const size_t prompt_len = ids.size();
  const auto start = std::chrono::steady_clock::now();
  KvCache cache(model.config());
  std::vector<int32_t> pending = ids;  // tokens the cache has not seen yet
  const int64_t room = ctx > 0 ? std::min(a.steps, ctx - static_cast<int64_t>(prompt_len)) : a.steps;
  Progress progress("generate", room, "tok", false);
  bool stopped_at_eos = false;
  for (int64_t step = 0; step < room; ++step) {
    // [T_pending, vocab] with the cache; [T, vocab] for the whole prefix without it.
    const Tensor logits = a.no_cache ? job.forward(ids, hooks) : job.forward(pending, cache, hooks);
    const int64_t V = model.config().vocab_size;
    const int32_t next = sample_next_token(logits.ptr() + (logits.shape[0] - 1) * V, V, a.sampling, rng);
    if (next == tok.eos_id()) {
      stopped_at_eos = true;
      break;
    }
    ids.push_back(next);
    pending.assign(1, next);
    progress.update(step + 1);
  }
  job.finish(hooks, "generate");
  progress.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const size_t generated = ids.size() - prompt_len;
  std::printf("%s\n", tok.decode(ids).c_str());
  if (!stopped_at_eos && room < a.steps)
    std::fprintf(stderr, "generate: stopped at the model's context of %lld tokens (%zu of the %lld tokens asked for)\n",
                 static_cast<long long>(ctx), generated, static_cast<long long>(a.steps));
  std::fprintf(stderr, "%zu prompt tokens, %zu generated in %.3f s (%.1f tokens/s)\n", prompt_len, generated, seconds,
               seconds > 0 ? static_cast<double>(generated) / seconds : 0.0);
  return 0;
}

const CommandRegistration registration("generate", "Continue a prompt (greedy by default)", [](CLI::App& sub) {
  auto a = std::make_shared<GenerateArgs>();
  sub.add_option("model", a->model, "GGUF file, HF model folder or llama2.c .bin")->required();
  sub.add_option("--prompt", a->prompt, "The text to continue")->required();
  sub.add_option("-n,--tokens", a->steps, "Tokens to generate (default 32)");
  sub.add_option("--temperature", a->sampling.temperature, "Sample with this temperature (default 0: greedy)");
  sub.add_option("--top-k", a->sampling.top_k, "Sample only from the K most likely tokens (default 0: all)");
  sub.add_option("--top-p", a->sampling.top_p,
                 "Sample only from the most likely tokens whose probabilities add up to P (default 1: all)");
  sub.add_option("--seed", a->seed, "Random seed for sampling");
  sub.add_flag("--no-cache", a->no_cache, "Rerun the whole prefix at every step instead of using the KV cache (slow)");
  add_compute_option(sub, a->compute);
  add_mpi_timeout_option(sub, a->mpi_timeout);
  return [a]() { return run_generate(*a); };
});

}  // namespace
}  // namespace osc::cli
