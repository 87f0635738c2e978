// The hook-point names the forward pass produces (TransformerLens vocabulary; shapes in
// docs/hooks.md), so that commands can list them and check a glob matches something.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model_config.h"

namespace osc {

std::string block_hook(int64_t layer, const std::string& suffix);  // "blocks.{layer}.{suffix}"

// Every point in the order a pass visits them. with_attention_matrices: include hook_attn_scores
// and hook_pattern ([n_heads, T, T] each).
std::vector<std::string> hook_names(const ModelConfig& c, bool with_attention_matrices = true);

}  // namespace osc
