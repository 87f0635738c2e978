// `outlierscope synth`: a Hugging Face checkpoint directory (config.json + safetensors) in the real
// layout of a model family, with random weights (N(0, 0.02^2), norm scales 1, biases 0). Used to
// measure time and memory at 7B..70B scale without downloading anything, and to test the loaders.
// What a family's checkpoint holds comes from its ArchSpec (model/arch/): the example config for
// the preset, the tensor layout of its table (model/arch/hf_layout.h) and its config.json writer.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/dtype.h"
#include "core/model_config.h"
#include "core/tensor.h"

namespace osc {

struct SynthOptions {
  std::string arch = "llama";    // see arch_example_names() (model/arch/arch.h)
  std::string preset = "tiny";   // see synth_preset_names()
  std::string dtype = "bf16";    // bf16, f16, f32
  std::string out_dir;
  uint64_t seed = 0;
  int64_t n_layers = 0;          // 0: the preset's; else a shallower (or deeper) model of the preset's width
  uint64_t max_shard_bytes = 5'000'000'000;  // Hugging Face's default max_shard_size "5GB"
  bool quiet = false;
};

// How a tensor is initialised: weights N(0, 0.02^2), norm scales 1, biases 0 (as HF's _init_weights).
enum class SynthInit { Normal, Ones, Zeros };

struct SynthTensor {
  std::string name;
  Shape shape;
  SynthInit init = SynthInit::Normal;
};

struct SynthPlan {
  ModelConfig config;
  nlohmann::json hf_config;  // config.json as written
  std::vector<SynthTensor> tensors;
  DType dtype = DType::BF16;
  uint64_t tensor_bytes = 0;  // all tensor data, headers excluded
};

// Resolves the names in `options`; BadInput naming the option if one is unknown.
SynthPlan plan_synth_model(const SynthOptions& options);

// Throws BadInput naming `dir` if its file system has less than needed_bytes (plus a safety
// margin) available.
void check_free_disk(const std::string& dir, uint64_t needed_bytes);

// Creates out_dir if needed and writes config.json and the safetensors file(s). Returns the plan.
SynthPlan write_synth_model(const SynthOptions& options);

}  // namespace osc
