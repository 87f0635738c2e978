// Size presets for `outlierscope synth`: the shapes of well-known LLaMA-family checkpoints, from
// which each architecture derives its own (e.g. non-gated MLPs use 4 * d_model, multi-head-only
// families ignore the grouped key/value head count).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osc {

struct SynthPreset {
  std::string name;
  int64_t n_layers = 0, d_model = 0, n_heads = 0;
  int64_t n_kv_heads = 0;      // LLaMA's own choice (7B/13B: multi-head, 70B: grouped)
  int64_t gqa_kv_heads = 0;    // for families that always group (Mistral, Qwen2, Falcon-40B)
  int64_t d_ff_gated = 0;      // gate/up width of a gated MLP
  int64_t max_positions = 0;
  bool full_vocab = false;     // use the family's real vocabulary size instead of a small one
  int64_t small_vocab = 0;
};

std::optional<SynthPreset> find_synth_preset(std::string_view name);
std::vector<std::string> synth_preset_names();  // "tiny", "small", "1b", "7b", "13b", "70b"

}  // namespace osc
