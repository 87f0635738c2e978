// `outlierscope run MODEL --text "..." | --file F [--hooks GLOB...] [--intervene SPEC...]
//  [--out acts.safetensors] [--npy-dir DIR]`: one forward pass, capturing the selected hook points
// (docs/hooks.md) with optional interventions; without --out / --npy-dir it prints a summary.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/atomic_write.h"
#include "core/error.h"
#include "hooks/hook_set.h"
#include "model/capture_export.h"
#include "model/model.h"

namespace osc::cli {
namespace {

struct RunArgs {
  std::string model, text, file, out, npy_dir;
  std::vector<std::string> hooks, interventions;
};

void print_summary(const HookSet& hooks) {
  std::printf("%-40s %-18s %12s %12s\n", "hook", "shape", "max |x|", "mean |x|");
  for (const std::string& name : hooks.captured_order()) {
    const Tensor& t = hooks.get(name);
    double max_abs = 0, sum_abs = 0;
    for (float v : t.data) {
      if (std::isinf(v)) continue;
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

int run_run(const RunArgs& a) {
  OSC_CHECK_INPUT(a.text.empty() != a.file.empty(), "run", "give exactly one of --text or --file");
  const Model model = Model::load(a.model);
  HookSet hooks;
  for (const std::string& g : a.hooks) hooks.capture(g);
  if (a.hooks.empty()) hooks.capture("hook_logits");
  for (const std::string& spec : a.interventions) hooks.intervene(parse_intervention(spec));
  const std::vector<int32_t> tokens = model.encode(a.file.empty() ? a.text : read_text_file(a.file));
  model.forward(tokens, hooks);
  hooks.throw_if_unmatched("run");
  if (!a.out.empty()) write_captures_safetensors(a.out, hooks, tokens, metadata(a));
  if (!a.npy_dir.empty()) write_captures_npy(a.npy_dir, hooks, tokens);
  if (a.out.empty() && a.npy_dir.empty()) print_summary(hooks);
  std::fprintf(stderr, "%zu tokens, %zu hook tensors captured\n", tokens.size(), hooks.captured().size());
  return 0;
}

const CommandRegistration registration(
    "run", "One forward pass capturing hook points (and applying interventions)", [](CLI::App& sub) {
      auto a = std::make_shared<RunArgs>();
      sub.add_option("model", a->model, "GGUF file, HF model folder or llama2.c .bin")->required();
      sub.add_option("--text", a->text, "The input text");
      sub.add_option("--file", a->file, "Read the input text from this file");
      sub.add_option("--hooks", a->hooks, "Hook names or globs to capture (default: hook_logits), e.g. 'blocks.*.hook_resid_post'");
      sub.add_option("--intervene", a->interventions,
                     "HOOK:OP[:token=N,channel=N,value=X|factor=X], OP = zero|set|scale|mean (repeatable)");
      sub.add_option("--out", a->out, "Write input_ids and the captured tensors to this .safetensors file");
      sub.add_option("--npy-dir", a->npy_dir, "Write one .npy file per captured hook into this folder");
      return [a]() { return run_run(*a); };
    });

}  // namespace
}  // namespace osc::cli
