// Size presets for `outlierscope synth`: the shapes of well-known LLaMA-family checkpoints, from
// which each architecture derives its own (model/arch/example_config.h).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/arch/example_config.h"

namespace osc {

std::optional<SizePreset> find_synth_preset(std::string_view name);
std::vector<std::string> synth_preset_names();  // "tiny", "small", "1b", "7b", "13b", "70b"

}  // namespace osc
