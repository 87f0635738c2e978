// `outlierscope generate MODEL --prompt "..." -n N [--temperature T --seed S]`: continues a prompt,
// greedily by default (argmax at each step), stopping at EOS or the model's context length.
// The prompt runs in one pass that fills a KV cache; each later step runs only the newest token.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "core/progress.h"
#include "model/model.h"

namespace osc::cli {
namespace {

struct GenerateArgs {
  std::string model, prompt;
  int64_t steps = 32;
  double temperature = 0.0;
  uint64_t seed = 0;
  bool no_cache = false;
};

int32_t pick(const float* logits, int64_t vocab, double temperature, std::mt19937_64& rng) {
  int32_t best = 0;
  for (int32_t v = 1; v < vocab; ++v)
    if (logits[v] > logits[best]) best = v;
  if (temperature <= 0.0) return best;
  std::vector<double> weights(static_cast<size_t>(vocab));
  for (int32_t v = 0; v < vocab; ++v) weights[v] = std::exp((logits[v] - logits[best]) / temperature);
  return static_cast<int32_t>(std::discrete_distribution<int64_t>(weights.begin(), weights.end())(rng));
}

int run_generate(const GenerateArgs& a) {
  const Model model = Model::load(a.model);
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
  for (int64_t step = 0; step < a.steps && (ctx <= 0 || static_cast<int64_t>(ids.size()) < ctx); ++step) {
    // [T_pending, vocab] with the cache; [T, vocab] for the whole prefix without it.
    const Tensor logits = a.no_cache ? model.forward(ids) : model.forward(pending, cache);
    const int64_t V = model.config().vocab_size;
    const int32_t next = pick(logits.ptr() + (logits.shape[0] - 1) * V, V, a.temperature, rng);
    if (next == tok.eos_id()) break;
    ids.push_back(next);
    pending.assign(1, next);
    progress.update(step + 1);
  }
  progress.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const size_t generated = ids.size() - prompt_len;
  std::printf("%s\n", tok.decode(ids).c_str());
  std::fprintf(stderr, "%zu prompt tokens, %zu generated in %.3f s (%.1f tokens/s)\n", prompt_len, generated, seconds,
               seconds > 0 ? static_cast<double>(generated) / seconds : 0.0);
  return 0;
}

const CommandRegistration registration("generate", "Continue a prompt (greedy by default)", [](CLI::App& sub) {
  auto a = std::make_shared<GenerateArgs>();
  sub.add_option("model", a->model, "GGUF file, HF model folder or llama2.c .bin")->required();
  sub.add_option("--prompt", a->prompt, "The text to continue")->required();
  sub.add_option("-n,--tokens", a->steps, "Tokens to generate (default 32)");
  sub.add_option("--temperature", a->temperature, "Sample with this temperature (default 0: greedy)");
  sub.add_option("--seed", a->seed, "Random seed for sampling");
  sub.add_flag("--no-cache", a->no_cache, "Rerun the whole prefix at every step instead of using the KV cache (slow)");
  return [a]() { return run_generate(*a); };
});

}  // namespace
}  // namespace osc::cli
