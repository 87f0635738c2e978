// Example configurations of an architecture at a given size, as `outlierscope synth` writes them:
// a size preset (the shapes of well-known LLaMA-family checkpoints, synth/synth_presets.cpp) from
// which each architecture derives its own (non-gated MLPs use 4 * d_model, multi-head-only
// families ignore the grouped key/value head count, ...).
#pragma once
#include <cstdint>
#include <string>

#include "core/model_config.h"

namespace osc {

struct SizePreset {
  std::string name;
  int64_t n_layers = 0, d_model = 0, n_heads = 0;
  int64_t n_kv_heads = 0;      // LLaMA's own choice (7B/13B: multi-head, 70B: grouped)
  int64_t gqa_kv_heads = 0;    // for families that always group (Mistral, Qwen2, Falcon-40B)
  int64_t d_ff_gated = 0;      // gate/up width of a gated MLP
  int64_t max_positions = 0;
  bool full_vocab = false;     // use the family's real vocabulary size instead of a small one
  int64_t small_vocab = 0;
};

// One `synth --arch` value: the name and how a preset becomes that model's ModelConfig.
struct ExampleConfig {
  std::string name;
  ModelConfig (*make)(const SizePreset&) = nullptr;
};

// The fields every family fills the same way from a preset (multi-head, d_ff 4 * d_model).
ModelConfig base_example_config(const SizePreset& p, std::string architecture, int64_t full_vocab);

}  // namespace osc
