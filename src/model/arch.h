// Architecture descriptions. An architecture is data, not a forward pass: which source tensors
// hold which internal weight (per source format), under which condition, plus an optional
// function for what a table cannot say (fused QKV splits, transposed Conv1D weights, permuted
// rows). The shared forward pass (model/forward.h) reads only ModelConfig and the WeightStore.
// See src/model/README.md for adding one.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "formats/named_tensors.h"
#include "model/layer_range.h"
#include "model/model_config.h"
#include "model/weight_store.h"

namespace osc {

// When a tensor exists, decided from the config.
enum class When {
  Always, Gated, NotGated, Dense, MoE, NormBias, QkvBias, OutBias, MlpBias,
  LearnedPos, Untied, LmHeadBias, QkNorm,
};

// One weight. Names may hold {l} (layer) and {e} (expert); a source name ending in "[{e}]" means
// "slice {e} of the first dimension" (GGUF stores experts as one 3-D tensor). An empty source name
// means that source has no such tensor (the bind function must supply it).
struct TensorRule {
  std::string internal;
  std::string hf;    // HF safetensors names; llama2.c files are read under these names too
  std::string gguf;  // llama.cpp names
  When when = When::Always;
};

// Runs after the table is bound: may add or replace weights (and adjust the config, e.g. after
// un-permuting rows it clears rope_interleaved). Binds only the layers in `layers` (all of them
// but in a layer-pipelined job, pipeline/), and reads no other layer's tensor.
using BindFunction =
    std::function<void(const NamedTensors& source, ModelConfig& config, LayerRange layers, WeightStore& weights)>;

struct ArchSpec {
  std::string name;                     // ModelConfig::architecture
  std::vector<TensorRule> globals;      // embed, ln_final, lm_head, ...
  std::vector<TensorRule> per_layer;    // {l} expanded for each layer ({e} for each expert)
  BindFunction bind_extra;              // optional
};

bool when_applies(When when, const ModelConfig& c);

// The registry: every architecture outlierscope can run (list in arch_registry.cpp).
const ArchSpec* find_arch(const std::string& name);
// Throws BadInput "unsupported architecture 'x' (supported: llama, ...)".
const ArchSpec& require_arch(const std::string& name, const std::string& where);
std::vector<std::string> registered_architectures();

// Family descriptions, one per arch_<family>.cpp.
std::vector<ArchSpec> llama_family_archs();  // llama, mistral, mixtral, qwen2
std::vector<ArchSpec> gpt2_family_archs();      // gpt2
std::vector<ArchSpec> opt_family_archs();       // opt
std::vector<ArchSpec> falcon_family_archs();    // falcon (7B, 40B/180B and RW layouts)
std::vector<ArchSpec> mpt_family_archs();       // mpt
std::vector<ArchSpec> phi2_family_archs();      // phi2
std::vector<ArchSpec> gpt_neox_family_archs();  // gpt_neox

}  // namespace osc
