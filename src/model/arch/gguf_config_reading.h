// How a family's GGUF metadata is read (ArchSpec::gguf_reading). llama.cpp's keys are
// "<arch>.<field>" for every architecture; formats/gguf_config_keys.h reads the fields they all
// share (sizes, norm, RoPE, experts, biases from the tensors present). The family's reader sets
// what the same keys mean for it (activation, gated MLP, positions, parallel block, ...).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/model_config.h"
#include "formats/gguf_config_keys.h"

namespace osc {

// Runs after the shared fields are read; may rename the architecture (llama + experts = mixtral).
using GgufConfigReader = void (*)(const GgufKeys& k, ModelConfig& c);

struct GgufConfigReading {
  std::vector<std::string> architectures;  // general.architecture values (llama.cpp's names) read as this family
  GgufConfigReader read = nullptr;
  bool adds_bos = false;  // tokenizer.ggml.add_bos_token when the file does not say
  std::string refusal;    // why a file naming this family (ArchSpec::name) is refused: no llama.cpp layout
};

// Files whose general.architecture is one of `architectures` are read as this family.
inline GgufConfigReading gguf_reading(std::vector<std::string> architectures, GgufConfigReader read,
                                      bool adds_bos = false) {
  return {std::move(architectures), read, adds_bos, {}};
}

// llama.cpp has no layout for this family: files naming it are refused, saying `why`.
inline GgufConfigReading gguf_refusal(std::string why) { return {{}, nullptr, false, std::move(why)}; }

}  // namespace osc
