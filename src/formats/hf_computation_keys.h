// The config.json keys that change what a family's Hugging Face forward pass computes, listed once
// per family. Each key is either read by that family's fill function in config_from_hf.cpp or
// honoured only at the values the engine computes and refused with exit 2 otherwise. Keys not listed
// (dropout, initializer ranges, cache flags, ...) do not change the forward pass and are ignored.
// docs/architectures.md shows the same table; tests/unit/formats_config_keys_test.cpp checks every row.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/hf_fields.h"

namespace osc {

enum class KeyHandling {
  Read,          // the family's fill function reads it (and refuses the values it cannot honour)
  OnlyAccepted,  // honoured at the values in `accepted` (absent / null = HF's default), refused otherwise
};

struct ComputationKey {
  std::string key;     // top-level key, or "attn_config.qk_ln" for one nested in an object
  std::string effect;  // what it changes in the forward pass
  KeyHandling handling;
  nlohmann::json accepted;  // OnlyAccepted: array of the values the engine computes
};

// Rows for one family (ModelConfig::architecture: "llama", "mistral", ..., "phi2", "gpt_neox").
const std::vector<ComputationKey>& computation_keys(const std::string& architecture);

// Refuses (HfFields::fail, exit 2) a present, non-null key whose value is not in its `accepted`.
void refuse_unhonoured_values(const HfFields& f, const std::string& architecture);

}  // namespace osc
