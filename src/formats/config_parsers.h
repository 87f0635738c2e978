// Builders of ModelConfig from each source's own description of the model. Each validates its
// result and throws BadInput naming `where` (the file) and the field at fault. config.json and GGUF
// metadata are read by the architecture registry (model/arch/hf_config.h, model/arch/gguf_config.h);
// model/checkpoint_config.h picks the one.
#pragma once
#include <string>

#include "core/model_config.h"
#include "formats/llama2c.h"

namespace osc {

ModelConfig config_from_llama2c(const Llama2cHeader& header);

}  // namespace osc
