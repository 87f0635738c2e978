// GGUF metadata -> ModelConfig through the architecture registry: general.architecture picks the
// family whose GgufConfigReading names it; the shared "<arch>.*" fields are read by
// formats/gguf_config_keys.h, the family's own meaning of them by its reader.
#pragma once
#include "core/model_config.h"
#include "formats/gguf.h"

namespace osc {

// BadInput naming the file for an architecture no family reads, or a field at fault.
ModelConfig config_from_gguf(const GgufFile& gguf);

}  // namespace osc
