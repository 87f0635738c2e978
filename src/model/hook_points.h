// The hook points of a given model: which rows of the hook table (hooks/hook_vocabulary.h) a
// config has, their numeric shapes, and the full list of names in pass order.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model_config.h"
#include "core/tensor.h"
#include "hooks/hook_vocabulary.h"

namespace osc {

bool hook_present(HookWhen when, const ModelConfig& c);
// The shape of a point in a pass of `tokens` new tokens attending to `keys` positions
// (keys = tokens without a KV cache).
Shape hook_shape(const HookPointInfo& info, const ModelConfig& c, int64_t tokens, int64_t keys);

struct ListedHook {
  std::string name;
  const HookPointInfo* info;
};

// Every point the forward pass of `c` visits, in its order: the table's rows that are present,
// block rows for each layer, expert rows for each expert. with_attention_matrices: include
// hook_attn_scores and hook_pattern ([n_heads, T, T] each).
std::vector<ListedHook> list_hooks(const ModelConfig& c, bool with_attention_matrices = true);
std::vector<std::string> hook_names(const ModelConfig& c, bool with_attention_matrices = true);

}  // namespace osc
