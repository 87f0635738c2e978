#include "model/checkpoint_config.h"

#include <filesystem>

#include "core/error.h"
#include "formats/config_parsers.h"
#include "model/arch/gguf_config.h"
#include "model/arch/hf_config.h"

namespace osc {

ModelConfig checkpoint_config(const Checkpoint& ck) {
  namespace fs = std::filesystem;
  if (const nlohmann::json* hf = ck.hf_config()) return config_from_hf(*hf, (fs::path(ck.path()) / "config.json").string());
  if (const GgufFile* gguf = ck.gguf()) return config_from_gguf(*gguf);
  if (const Llama2cHeader* header = ck.llama2c_header()) return config_from_llama2c(*header);
  if (ck.format() == CheckpointFormat::TokenizerOnly && !fs::is_directory(ck.path()))
    throw_bad_input(ck.path(), "a tokenizer file without model weights (`outlierscope tokenize` reads it; give a model to run)");
  throw_bad_input(ck.path(), std::string("a ") + std::string(checkpoint_format_name(ck.format())) +
                                 " source does not describe the model (no config.json, GGUF metadata or llama2.c header)");
}

}  // namespace osc
