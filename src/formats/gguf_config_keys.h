// llama.cpp's shared GGUF metadata schema: every architecture's keys are "<arch>.<field>"
// (block_count, embedding_length, attention.head_count, rope.freq_base, ...). Typed access to
// them and the reading of the fields all architectures share; what a key means for one family
// (activation, positions, parallel block) is read by that family (model/arch/gguf_config.h).
#pragma once
#include <string>

#include "core/model_config.h"
#include "formats/gguf.h"

namespace osc {

// The "<arch>.*" keys of one file (`arch` = its general.architecture) and which tensors it holds.
struct GgufKeys {
  const GgufFile& g;
  std::string arch;
  std::string key(const std::string& field) const { return arch + "." + field; }
  bool has(const std::string& field) const { return g.has(key(field)); }
  int64_t integer(const std::string& field) const { return g.get_i64(key(field)); }
  int64_t integer_or(const std::string& field, int64_t fallback) const { return g.get_i64(key(field), fallback); }
  double number_or(const std::string& field, double fallback) const {
    return g.has(key(field)) ? g.get_f64(key(field)) : fallback;
  }
  bool boolean_or(const std::string& field, bool fallback) const { return g.get_bool(key(field), fallback); }
  bool has_tensor(const std::string& name) const { return g.tensors().contains(name); }
};

// Sizes, norm, RoPE base / fraction / scaling, experts, sliding window, and what the tensors
// present settle (tied output, biases). BadInput naming the file for values not supported.
void fill_gguf_common(const GgufKeys& k, ModelConfig& c);

}  // namespace osc
