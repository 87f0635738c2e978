// `outlierscope run MODEL --text "..." | --file F | --ids 1,2,3 [--bos | --no-bos] [--hooks GLOB...]
//  [--intervene SPEC...] [--out acts.safetensors] [--npy-dir DIR]`: one forward pass, capturing the
// selected hook points (docs/hooks.md) with optional interventions; without --out / --npy-dir it
// prints a summary. --ids runs models that have no tokenizer (synthesised ones) on exact ids.
// Under `mpirun -np N` the layers are split over the ranks and rank 0 writes what one process
// would (pipeline/layer_pipeline.h, docs/distributed.md).
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/compute_option.h"
#include "cli/dist_options.h"
#include "core/error.h"
#include "core/output_guard.h"
#include "core/text_file.h"
#include "dist/communicator.h"
#include "hooks/hook_set.h"
#include "hooks/hook_vocabulary.h"
#include "model/capture_export.h"
#include "model/model.h"
#include "pipeline/layer_pipeline.h"

namespace osc::cli {
namespace {

struct RunArgs {
  std::string model, text, file, out, npy_dir;
  std::vector<int32_t> ids;
  bool bos = false, no_bos = false;
  std::vector<std::string> hooks, interventions;
  bool check_finite = false;
  double mpi_timeout = 0.0;
  std::string compute = "f32";
};

// --ids as given (BOS only with --bos); a text with the model's BOS convention unless overridden.
std::vector<int32_t> input_tokens(const Model& model, const RunArgs& a) {
  const ModelConfig& c = model.config();
  if (!a.ids.empty()) {
    for (int32_t id : a.ids)
      OSC_CHECK_INPUT(id < c.vocab_size, "--ids", "token id " + std::to_string(id) + " is not below the model's vocabulary size " +
                                                      std::to_string(c.vocab_size));
    std::vector<int32_t> tokens;
    if (a.bos) {
      OSC_CHECK_INPUT(c.bos_token_id >= 0, "--bos", a.model + " has no BOS token id in its config");
      tokens.push_back(static_cast<int32_t>(c.bos_token_id));
    }
    tokens.insert(tokens.end(), a.ids.begin(), a.ids.end());
    return tokens;
  }
  OSC_CHECK_INPUT(model.tokenizer() != nullptr, "run",
                  model.tokenizer_error() + "; give token ids instead, e.g. --ids 1,2,3");
  const Tokenizer& tok = *model.tokenizer();
  const bool add_bos = a.bos || (!a.no_bos && tok.add_bos_default());
  const std::string text = a.file.empty() ? a.text : read_text_file(a.file);
  const std::string source = a.file.empty() ? "--text" : a.file;
  OSC_CHECK_INPUT(!text.empty(), source, "is empty: there is no text to run");
  std::vector<int32_t> tokens = tok.encode(text, add_bos);
  OSC_CHECK_INPUT(!tokens.empty(), source, "gives no tokens: there is nothing to run");
  return tokens;
}

void print_summary(const HookSet& hooks) {
  std::printf("%-40s %-18s %12s %12s\n", "hook", "shape", "max |x|", "mean |x|");
  for (const std::string& name : hooks.captured_order()) {
    const Tensor& t = hooks.get(name);
    double max_abs = 0, sum_abs = 0;
    for (float v : t.data) {
      if (std::isnan(v)) {  // NaN drops out of max(): say so rather than print 0
        max_abs = sum_abs = std::nan("");
        break;
      }
      if (std::isinf(v)) continue;  // masked attention scores
      max_abs = std::max(max_abs, static_cast<double>(std::fabs(v)));
      sum_abs += std::fabs(v);
    }
    std::printf("%-40s %-18s %12.4g %12.4g\n", name.c_str(), shape_to_string(t.shape).c_str(), max_abs,
                t.numel() ? sum_abs / static_cast<double>(t.numel()) : 0.0);
  }
}

std::map<std::string, std::string> metadata(const RunArgs& a) {
  std::map<std::string, std::string> m = {{"model", a.model}, {"producer", "outlierscope run"}};
  std::string ivs;
  for (const std::string& s : a.interventions) ivs += (ivs.empty() ? "" : ";") + s;
  if (!ivs.empty()) m["interventions"] = ivs;
  return m;
}

// The same patterns on every rank of a pipelined job: each applies them to its own layers.
HookSet hooks_of(const RunArgs& a) {
  HookSet hooks;
  if (a.check_finite) hooks.require_finite();
  for (const std::string& g : a.hooks) hooks.capture(g);
  if (a.hooks.empty()) hooks.capture(hook_name(HookPoint::Logits));
  for (const std::string& spec : a.interventions) hooks.intervene(parse_intervention(spec));
  return hooks;
}

int run_run(const RunArgs& a) {
  dist::Session session;  // under mpirun/srun: one stage of a layer-pipelined pass
  dist::set_wait_limit(a.mpi_timeout);
  if (!dist::is_root()) {  // another rank: runs its layers of rank 0's pass
    HookSet hooks = hooks_of(a);
    pipeline::LayerPipeline(a.model, parse_compute(a.compute)).serve(hooks);
    return 0;
  }
  OSC_CHECK_INPUT(!a.text.empty() + !a.file.empty() + !a.ids.empty() == 1, "run", "give exactly one of --text, --file or --ids");
  const std::vector<std::string> inputs = {a.model, a.file};
  if (!a.out.empty()) check_output_file(a.out, inputs, "--out");
  std::optional<OutputFolder> npy_dir;
  if (!a.npy_dir.empty()) npy_dir.emplace(a.npy_dir, "run", inputs, OutputFolder::Mode::Replace, "--npy-dir");
  pipeline::LayerPipeline job(a.model, parse_compute(a.compute));
  HookSet hooks = hooks_of(a), captured;  // captured: every rank's captures, in the order of the pass
  captured.capture_all();
  const std::vector<int32_t> tokens = input_tokens(job.model(), a);
  job.forward(tokens, hooks, &captured);
  job.finish(hooks, "run");
  if (!a.out.empty()) write_captures_safetensors(a.out, captured, tokens, metadata(a));
  if (npy_dir) {
    write_captures_npy(npy_dir->path(), captured, tokens);
    npy_dir->commit();
  }
  if (a.out.empty() && a.npy_dir.empty()) print_summary(captured);
  std::fprintf(stderr, "%zu tokens, %zu hook tensors captured\n", tokens.size(), captured.captured().size());
  return 0;
}

const CommandRegistration registration(
    "run", "One forward pass capturing hook points (and applying interventions)", [](CLI::App& sub) {
      auto a = std::make_shared<RunArgs>();
      sub.add_option("model", a->model, "GGUF file, HF model folder or llama2.c .bin")->required();
      sub.add_option("--text", a->text, "The input text");
      sub.add_option("--file", a->file, "Read the input text from this file");
      sub.add_option("--ids", a->ids, "Comma-separated token ids to run as given, e.g. 1,450,4799 (no tokenizer needed)")
          ->delimiter(',');
      auto* bos = sub.add_flag("--bos", a->bos, "Prepend BOS even if the model does not (with --ids: prepend BOS)");
      auto* no_bos = sub.add_flag("--no-bos", a->no_bos, "Do not prepend BOS to the text even if the model does");
      bos->excludes(no_bos);
      sub.add_option("--hooks", a->hooks, "Hook names or globs to capture (default: hook_logits), e.g. 'blocks.*.hook_resid_post'");
      sub.add_option("--intervene", a->interventions,
                     "HOOK:OP[:token=N,channel=N,value=X|factor=X], OP = zero|set|scale|mean (repeatable)");
      sub.add_option("--out", a->out, "Write input_ids and the captured tensors to this .safetensors file");
      sub.add_option("--npy-dir", a->npy_dir, "Write one .npy file per captured hook into this folder");
      sub.add_flag("--check-finite", a->check_finite,
                   "Fail (exit 2) at the first hook point with a NaN or Inf, naming it, the token and the channel");
      add_compute_option(sub, a->compute);
      add_mpi_timeout_option(sub, a->mpi_timeout);
      return [a]() { return run_run(*a); };
    });

}  // namespace
}  // namespace osc::cli
