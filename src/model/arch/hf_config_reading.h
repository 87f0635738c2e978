// What the families' config.json readers (model/arch/<family>.cpp) share: the reader's type, the
// rows of the keys that change what a family's Hugging Face forward pass computes, the refusal of
// the values a row does not honour, RoPE's keys and transformers' default head width, which several
// families read alike, and LlamaConfig's size keys, which two families write alike.
// Each family lists its rows once (HfConfigReading::computation_keys): every key is either read by the
// family's reader or honoured only at the values the engine computes and refused with exit 2
// otherwise. Keys not listed (dropout, initializer ranges, cache flags, ...) do not change the
// forward pass and are ignored. docs/architectures.md shows the same rows;
// tests/unit/formats_config_keys_test.cpp checks every row.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model_config.h"
#include "formats/hf_fields.h"

namespace osc {

// Fills the family's fields of `c` from config.json; absent keys mean transformers' defaults.
using HfConfigReader = void (*)(const HfFields& f, ModelConfig& c);

enum class KeyHandling {
  Read,          // the family's reader reads it (and refuses the values it cannot honour)
  OnlyAccepted,  // honoured at the values in `accepted` (absent / null = HF's default), refused otherwise
};

struct ComputationKey {
  std::string key;     // top-level key, or "attn_config.qk_ln" for one nested in an object
  std::string effect;  // what it changes in the forward pass
  KeyHandling handling;
  nlohmann::json accepted;  // OnlyAccepted: array of the values the engine computes
};

ComputationKey read_key(const char* key, const char* effect);
ComputationKey only_key(const char* key, nlohmann::json accepted, const char* effect);
// `a` followed by `b`.
std::vector<ComputationKey> join_keys(std::vector<ComputationKey> a, const std::vector<ComputationKey>& b);

// How one architecture's config.json is read (ArchSpec::hf_reading).
struct HfConfigReading {
  std::vector<std::string> model_types;  // model_type values that select the architecture
  std::vector<std::string> classes;      // architectures[0] values that do, when model_type does not
  HfConfigReader read = nullptr;
  std::vector<ComputationKey> computation_keys;
};

// Refuses (HfFields::fail, exit 2) a present, non-null key whose value is not in its `accepted`.
void refuse_unhonoured_values(const HfFields& f, const std::vector<ComputationKey>& rows);

// hidden_size / num_attention_heads: a head's width when the config names none (0 without heads).
int64_t default_head_width(const ModelConfig& c);

// hidden_size, intermediate_size, num_attention_heads, num_key_value_heads, num_hidden_layers,
// vocab_size, max_position_embeddings: the sizes as LlamaConfig (and PhiConfig) name them.
nlohmann::json llama_style_size_keys(const ModelConfig& c);

// RoPE's rows (rope_theta, rope_scaling) and the reading of rope_scaling (default, linear, llama3).
const std::vector<ComputationKey>& rope_keys();
void fill_rope_scaling(const HfFields& f, ModelConfig& c);

}  // namespace osc
