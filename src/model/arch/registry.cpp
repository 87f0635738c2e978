// The list of architectures. Adding a family: write <family>.cpp in this folder returning its
// ArchSpecs, declare the function in arch.h, and append it to all_families() below.
#include <algorithm>
#include <utility>

#include "core/error.h"
#include "model/arch/arch.h"

namespace osc {
namespace {

std::vector<std::vector<ArchSpec> (*)()> all_families() {
  return {&llama_family_archs, &gpt2_family_archs,  &opt_family_archs,     &falcon_family_archs,
          &mpt_family_archs,   &phi2_family_archs, &gpt_neox_family_archs};
}

const std::vector<ArchSpec>& registry() {
  static const std::vector<ArchSpec> specs = [] {
    std::vector<ArchSpec> all;
    for (auto family : all_families())
      for (ArchSpec& spec : family()) all.push_back(std::move(spec));
    return all;
  }();
  return specs;
}

}  // namespace

bool when_applies(When when, const ModelConfig& c) {
  switch (when) {
    case When::Always: return true;
    case When::Gated: return c.gated_mlp && c.n_experts == 0;
    case When::NotGated: return !c.gated_mlp && c.n_experts == 0;
    case When::Dense: return c.n_experts == 0;
    case When::MoE: return c.n_experts > 0;
    case When::NormBias: return c.norm_has_bias;
    case When::QkvBias: return c.attn_qkv_bias;
    case When::OutBias: return c.attn_out_bias;
    case When::MlpBias: return c.mlp_bias;
    case When::LearnedPos: return c.positional == Positional::Learned;
    case When::Untied: return !c.tied_embeddings;
    case When::LmHeadBias: return c.lm_head_bias;
    case When::QkNorm: return c.qk_norm;
    case When::ParallelNorms: return c.parallel_block && !c.parallel_shared_norm;
    case When::NotParallelNorms: return !(c.parallel_block && !c.parallel_shared_norm);
    case When::Sequential: return !c.parallel_block;
  }
  return false;
}

std::string expand_name(const std::string& pattern, int64_t layer, int64_t expert) {
  std::string s = pattern;
  for (const auto& [key, value] : {std::pair<std::string, int64_t>{"{l}", layer}, {"{e}", expert}}) {
    const std::string text = std::to_string(value);
    for (size_t pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + text.size()))
      s.replace(pos, key.size(), text);
  }
  return s;
}

const ArchSpec* find_arch(const std::string& name) {
  const auto& specs = registry();
  auto it = std::find_if(specs.begin(), specs.end(), [&](const ArchSpec& s) { return s.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

const ArchSpec& require_arch(const std::string& name, const std::string& where) {
  if (const ArchSpec* spec = find_arch(name)) return *spec;
  std::string list;
  for (const std::string& n : registered_architectures()) list += (list.empty() ? "" : ", ") + n;
  throw_bad_input(where, "unsupported architecture '" + name + "' (supported: " + list + ")");
}

std::vector<std::string> registered_architectures() {
  std::vector<std::string> names;
  for (const ArchSpec& s : registry()) names.push_back(s.name);
  return names;
}

std::vector<ArchExample> arch_examples() {
  std::vector<ArchExample> all;
  for (const ArchSpec& s : registry())
    for (const ExampleConfig& e : s.examples) all.push_back({&s, &e});
  return all;
}

std::vector<std::string> arch_example_names() {
  std::vector<std::string> names;
  for (const ArchExample& e : arch_examples()) names.push_back(e.example->name);
  return names;
}

}  // namespace osc
