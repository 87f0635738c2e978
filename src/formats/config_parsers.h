// Builders of ModelConfig from each source's own description of the model. Each validates its
// result and throws BadInput naming `where` (the file) and the field at fault.
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/model_config.h"
#include "formats/gguf.h"
#include "formats/llama2c.h"

namespace osc {

// HF config.json; the architecture comes from model_type (or, failing that, architectures[0]).
ModelConfig config_from_hf(const nlohmann::json& config, const std::string& where);
// GGUF metadata: general.architecture and the "<arch>.*" keys; also looks at which tensors exist
// (tied embeddings, separate norms, biases).
ModelConfig config_from_gguf(const GgufFile& gguf);
ModelConfig config_from_llama2c(const Llama2cHeader& header);

}  // namespace osc
