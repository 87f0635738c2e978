// Architecture descriptions. An architecture is data, not a forward pass: which source tensors
// hold which internal weight (per source format) under which condition, how its Hugging Face
// config.json is written, and the example configurations `outlierscope synth` builds, plus an
// optional function for what a table cannot say (fused QKV splits, transposed Conv1D weights,
// permuted rows). The shared forward pass (model/forward.h) reads only ModelConfig and the
// WeightStore. One file per family in this folder; see src/model/README.md for adding one.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_config.h"
#include "formats/named_tensors.h"
#include "model/arch/example_config.h"
#include "model/arch/gguf_config_reading.h"
#include "model/arch/hf_config_reading.h"
#include "model/layer_range.h"
#include "model/weight_store.h"

namespace osc {

// When a tensor exists, decided from the config.
enum class When {
  Always, Gated, NotGated, Dense, MoE, NormBias, QkvBias, OutBias, MlpBias,
  LearnedPos, Untied, LmHeadBias, QkNorm,
  ParallelNorms,     // parallel block with two norms (Falcon-40B ln_attn + ln_mlp)
  NotParallelNorms,  // one norm before attention: sequential, or parallel with a shared norm
  Sequential,        // sequential block: a second norm before the MLP
};

// Who binds a row. The generic binder (model/bind_weights.h) binds Table rows; the spec's
// bind_extra binds the others, reading the same names. Every tensor of a checkpoint has a row, so
// a family's Hugging Face layout (hf_layout.h: what synth writes) comes from this one table.
enum class Binding {
  Table,
  Hook,            // fused q/k/v ("attn.qkv", "attn.qkv.bias"), or a name that depends on the file
  HookTransposed,  // a Conv1D weight stored [in, out]: its source shape is the internal one reversed
};

// One weight. Names may hold {l} (layer) and {e} (expert); a source name ending in "[{e}]" means
// "slice {e} of the first dimension" (GGUF stores experts as one 3-D tensor). An empty source name
// means that source has no such tensor (the bind function must supply it). Rows are in the order
// transformers' save_pretrained writes the tensors (module order, a weight before its bias).
struct TensorRule {
  std::string internal;
  std::string hf;    // HF safetensors names; llama2.c files are read under these names too
  std::string gguf;  // llama.cpp names
  When when = When::Always;
  Binding binding = Binding::Table;
};

// Runs after the table is bound: may add or replace weights (and adjust the config, e.g. after
// un-permuting rows it clears rope_interleaved). Binds only the layers in `layers` (all of them
// but in a layer-pipelined job, pipeline/), and reads no other layer's tensor.
using BindFunction =
    std::function<void(const NamedTensors& source, ModelConfig& config, LayerRange layers, WeightStore& weights)>;

// config.json as transformers' save_pretrained writes it for this config (without torch_dtype).
using HfConfigWriter = nlohmann::json (*)(const ModelConfig&);

struct ArchSpec {
  std::string name;                     // ModelConfig::architecture
  std::vector<TensorRule> globals;      // embed, ln_final, lm_head, ...
  std::vector<TensorRule> per_layer;    // {l} expanded for each layer ({e} for each expert)
  BindFunction bind_extra;              // optional
  HfConfigWriter write_hf_config = nullptr;
  std::vector<ExampleConfig> examples;  // what `synth --arch` offers for this architecture
  HfConfigReading hf_reading;           // how its config.json is read (hf_config_reading.h)
  GgufConfigReading gguf_reading;       // how its GGUF metadata is read (gguf_config_reading.h)
};

bool when_applies(When when, const ModelConfig& c);
// A row's name for one layer (and expert): `pattern` with "{l}" -> layer, "{e}" -> expert.
std::string expand_name(const std::string& pattern, int64_t layer, int64_t expert = 0);

// The registry: every architecture outlierscope can run (list in registry.cpp).
const ArchSpec* find_arch(const std::string& name);
// Throws BadInput "unsupported architecture 'x' (supported: llama, ...)".
const ArchSpec& require_arch(const std::string& name, const std::string& where);
std::vector<std::string> registered_architectures();

// The example configurations of all architectures, in registry order (`synth --arch` values).
struct ArchExample {
  const ArchSpec* spec = nullptr;
  const ExampleConfig* example = nullptr;
};
std::vector<ArchExample> arch_examples();
std::vector<std::string> arch_example_names();

// Family descriptions, one per file of this folder.
std::vector<ArchSpec> llama_family_archs();     // llama, mistral, mixtral, qwen2
std::vector<ArchSpec> gpt2_family_archs();      // gpt2
std::vector<ArchSpec> opt_family_archs();       // opt
std::vector<ArchSpec> falcon_family_archs();    // falcon (7B, 40B/180B and RW layouts)
std::vector<ArchSpec> mpt_family_archs();       // mpt
std::vector<ArchSpec> phi2_family_archs();      // phi2
std::vector<ArchSpec> gpt_neox_family_archs();  // gpt_neox

}  // namespace osc
