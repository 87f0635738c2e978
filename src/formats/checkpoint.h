// Checkpoint: any supported model source behind one interface. open() detects the format:
//   - a folder: HF layout (config.json + model.safetensors or model.safetensors.index.json); a
//     folder with only tokenizer files (tokenizer.json / tokenizer.model) is a tokenizer-only one;
//   - a .safetensors file, a .gguf file (by magic), a llama2.c legacy .bin (by its header).
// Tensors keep their source names (HF names for HF / safetensors / llama2.c, "blk.N.*" for GGUF)
// and stored dtypes; shapes are in PyTorch order for every format.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/model_config.h"
#include "formats/gguf.h"
#include "formats/llama2c.h"
#include "formats/named_tensors.h"

namespace osc {

enum class CheckpointFormat { HfDirectory, Safetensors, Gguf, Llama2c, TokenizerOnly };
std::string_view checkpoint_format_name(CheckpointFormat f);  // "hf", "safetensors", "gguf", "llama2c", "tokenizer"

class Checkpoint {
 public:
  // Throws BadInput naming the path when it is missing, unrecognised or malformed.
  static Checkpoint open(const std::string& path);

  CheckpointFormat format() const { return format_; }
  const std::string& path() const { return path_; }
  // The folder to look in for tokenizer files (the HF folder, or the file's folder).
  const std::string& directory() const { return directory_; }
  const NamedTensors& tensors() const { return tensors_; }

  // Whether the source describes the model (false for a bare .safetensors or tokenizer folder);
  // model/checkpoint_config.h turns the description into a ModelConfig.
  bool has_config() const;

  // The source's own description (null when the format does not have it).
  const nlohmann::json* hf_config() const { return hf_config_.get(); }
  const GgufFile* gguf() const { return gguf_.get(); }
  const Llama2cHeader* llama2c_header() const { return llama2c_ ? &*llama2c_ : nullptr; }
  const std::map<std::string, std::string>& safetensors_metadata() const { return safetensors_metadata_; }

 private:
  static Checkpoint open_directory(const std::string& path);
  static Checkpoint open_file(const std::string& path);

  CheckpointFormat format_ = CheckpointFormat::Safetensors;
  std::string path_, directory_;
  NamedTensors tensors_;
  std::shared_ptr<const nlohmann::json> hf_config_;
  std::shared_ptr<const GgufFile> gguf_;
  std::optional<Llama2cHeader> llama2c_;
  std::map<std::string, std::string> safetensors_metadata_;
};

}  // namespace osc
