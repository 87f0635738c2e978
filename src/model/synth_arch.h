// What `outlierscope synth` needs to know about one model family: how a size preset becomes its
// ModelConfig, which tensors its Hugging Face checkpoint holds (names and shapes exactly as
// save_pretrained writes them), and its config.json. One function triple per family, listed in
// synth_arch_table.cpp.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_config.h"
#include "core/tensor.h"
#include "model/synth_presets.h"

namespace osc {

// How a tensor is initialised: weights N(0, 0.02^2), norm scales 1, biases 0 (as HF's _init_weights).
enum class SynthInit { Normal, Ones, Zeros };

struct SynthTensor {
  std::string name;
  Shape shape;
  SynthInit init = SynthInit::Normal;
};

struct SynthArch {
  std::string name;  // the --arch value
  ModelConfig (*make_config)(const SynthPreset&);
  std::vector<SynthTensor> (*tensors)(const ModelConfig&);
  nlohmann::json (*hf_config)(const ModelConfig&);  // without torch_dtype (the writer adds it)
};

const SynthArch* find_synth_arch(std::string_view name);
std::vector<std::string> synth_arch_names();

// Helpers shared by the family files.
namespace synth {

// The fields every family fills the same way from a preset.
ModelConfig base_config(const SynthPreset& p, std::string architecture, int64_t full_vocab);
// Appends "<prefix>.weight" (and "<prefix>.bias" when with_bias) for a linear layer [out, in].
void add_linear(std::vector<SynthTensor>& out, const std::string& prefix, int64_t out_features,
                int64_t in_features, bool with_bias);
// Appends "<prefix>.weight" = 1 (and "<prefix>.bias" = 0 when with_bias) for a norm over `dim`.
void add_norm(std::vector<SynthTensor>& out, const std::string& prefix, int64_t dim, bool with_bias);
std::string layer_prefix(const std::string& stem, int64_t layer);  // "model.layers.3"

}  // namespace synth
}  // namespace osc
