// `outlierscope synth`: writes a random-weight checkpoint in a family's real Hugging Face layout.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "core/output_guard.h"
#include "core/progress.h"
#include "model/arch/arch.h"
#include "synth/synth.h"
#include "synth/synth_presets.h"

namespace osc::cli {
namespace {

std::string names_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : "|") + n;
  return s;
}

const CommandRegistration kSynth{
    "synth", "Write a random-weight Hugging Face checkpoint (config.json + safetensors) of a model family and size",
    [](CLI::App& sub) -> std::function<int()> {
      auto options = std::make_shared<SynthOptions>();
      auto shard_gb = std::make_shared<double>(5.0);
      sub.add_option("--arch", options->arch, names_list(arch_example_names()))->capture_default_str();
      sub.add_option("--preset", options->preset, names_list(synth_preset_names()))->capture_default_str();
      sub.add_option("--dtype", options->dtype, "bf16|f16|f32")->capture_default_str();
      sub.add_option("--out", options->out_dir, "Output directory")->required();
      sub.add_option("--seed", options->seed, "Random seed (same seed, same bytes)")->capture_default_str();
      sub.add_option("--layers", options->n_layers, "Number of layers (default: the preset's), e.g. 2-4 at 7B width for tests");
      sub.add_option("--max-shard-gb", *shard_gb, "Split into shards of at most this many GB (10^9 bytes)")
          ->capture_default_str();
      return [options, shard_gb]() {
        options->max_shard_bytes = static_cast<uint64_t>(*shard_gb * 1e9);
        options->quiet = global_quiet();
        // A rerun replaces the whole folder: no shard of an earlier, larger synth survives.
        OutputFolder out(options->out_dir, "synth", {}, OutputFolder::Mode::Replace);
        SynthOptions staged = *options;
        staged.out_dir = out.path();
        const SynthPlan plan = write_synth_model(staged);
        out.commit();
        std::printf("%s: %s %s %s, %zu tensors, %.2f GB of weights\n", options->out_dir.c_str(),
                    options->arch.c_str(), options->preset.c_str(), options->dtype.c_str(), plan.tensors.size(),
                    static_cast<double>(plan.tensor_bytes) / 1e9);
        return 0;
      };
    }};

}  // namespace
}  // namespace osc::cli
