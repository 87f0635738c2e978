// HF config.json -> ModelConfig through the registry: model_type (or, failing that,
// architectures[0]) selects the architecture whose spec names it (ArchSpec::hf_reading); that
// spec's rows refuse the values the engine does not compute and its reader fills the fields.
// Each family's reader and rows are in its own file of this folder.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/model_config.h"
#include "model/arch/hf_config_reading.h"

namespace osc {

// Throws BadInput naming `where` (the file) and the key at fault; the result is validated.
ModelConfig config_from_hf(const nlohmann::json& config, const std::string& where);

// The computation-changing config.json keys of one architecture ("llama", ..., "phi2",
// "gpt_neox"); none for a name that is not registered.
const std::vector<ComputationKey>& computation_keys(const std::string& architecture);

}  // namespace osc
