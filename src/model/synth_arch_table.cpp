#include <array>

#include "model/synth_arch.h"
#include "model/synth_families.h"

namespace osc {
namespace {

const std::array<SynthArch, 11> kArchs = {{
    {"llama", synth::llama_config, synth::llama_tensors, synth::llama_hf_config},
    {"mistral", synth::mistral_config, synth::llama_tensors, synth::llama_hf_config},
    {"qwen2", synth::qwen2_config, synth::llama_tensors, synth::llama_hf_config},
    {"mixtral", synth::mixtral_config, synth::llama_tensors, synth::llama_hf_config},
    {"gpt2", synth::gpt2_config, synth::gpt2_tensors, synth::gpt2_hf_config},
    {"opt", synth::opt_config, synth::opt_tensors, synth::opt_hf_config},
    {"falcon", synth::falcon7b_config, synth::falcon_tensors, synth::falcon_hf_config},
    {"falcon40b", synth::falcon40b_config, synth::falcon_tensors, synth::falcon_hf_config},
    {"mpt", synth::mpt_config, synth::mpt_tensors, synth::mpt_hf_config},
    {"phi2", synth::phi2_config, synth::phi2_tensors, synth::phi2_hf_config},
    {"gpt_neox", synth::gpt_neox_config, synth::gpt_neox_tensors, synth::gpt_neox_hf_config},
}};

}  // namespace

const SynthArch* find_synth_arch(std::string_view name) {
  for (const auto& a : kArchs)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<std::string> synth_arch_names() {
  std::vector<std::string> names;
  for (const auto& a : kArchs) names.push_back(a.name);
  return names;
}

namespace synth {

ModelConfig base_config(const SynthPreset& p, std::string architecture, int64_t full_vocab) {
  ModelConfig c;
  c.architecture = std::move(architecture);
  c.source_format = "hf";
  c.name = "synth-" + c.architecture + "-" + p.name;
  c.n_layers = p.n_layers;
  c.d_model = p.d_model;
  c.n_heads = p.n_heads;
  c.n_kv_heads = p.n_heads;
  c.d_head = p.d_model / p.n_heads;
  c.d_ff = 4 * p.d_model;
  c.vocab_size = p.full_vocab ? full_vocab : p.small_vocab;
  c.max_positions = p.max_positions;
  return c;
}

void add_linear(std::vector<SynthTensor>& out, const std::string& prefix, int64_t out_features,
                int64_t in_features, bool with_bias) {
  out.push_back({prefix + ".weight", {out_features, in_features}, SynthInit::Normal});
  if (with_bias) out.push_back({prefix + ".bias", {out_features}, SynthInit::Zeros});
}

void add_norm(std::vector<SynthTensor>& out, const std::string& prefix, int64_t dim, bool with_bias) {
  out.push_back({prefix + ".weight", {dim}, SynthInit::Ones});
  if (with_bias) out.push_back({prefix + ".bias", {dim}, SynthInit::Zeros});
}

std::string layer_prefix(const std::string& stem, int64_t layer) { return stem + "." + std::to_string(layer); }

}  // namespace synth
}  // namespace osc
