#include "synth/synth_presets.h"

#include <array>

namespace osc {
namespace {

// LLaMA-2 7B/13B/70B and TinyLlama-1.1B shapes; tiny and small are for tests and quick runs.
const std::array<SizePreset, 6> kPresets = {{
    {"tiny", 2, 64, 4, 4, 2, 176, 256, false, 512},
    {"small", 4, 256, 8, 8, 4, 704, 1024, false, 2048},
    {"1b", 22, 2048, 32, 4, 4, 5632, 2048, true, 0},
    {"7b", 32, 4096, 32, 32, 8, 11008, 4096, true, 0},
    {"13b", 40, 5120, 40, 40, 8, 13824, 4096, true, 0},
    {"70b", 80, 8192, 64, 8, 8, 28672, 4096, true, 0},
}};

}  // namespace

std::optional<SizePreset> find_synth_preset(std::string_view name) {
  for (const auto& p : kPresets)
    if (p.name == name) return p;
  return std::nullopt;
}

std::vector<std::string> synth_preset_names() {
  std::vector<std::string> names;
  for (const auto& p : kPresets) names.push_back(p.name);
  return names;
}

}  // namespace osc
