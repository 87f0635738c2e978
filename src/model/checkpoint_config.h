// The normalised hyper-parameters of an opened checkpoint, from the source's own description:
// config.json or GGUF metadata (through the architecture registry, model/arch/hf_config.h and
// model/arch/gguf_config.h) or the llama2.c header. Here rather than in formats/ because reading
// config.json and GGUF metadata needs the registry.
#pragma once
#include "core/model_config.h"
#include "formats/checkpoint.h"

namespace osc {

// BadInput naming the path when the source does not describe the model (a bare .safetensors file,
// a tokenizer folder; Checkpoint::has_config() says which do).
ModelConfig checkpoint_config(const Checkpoint& ck);

}  // namespace osc
