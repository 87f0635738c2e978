// State shared by the pieces of one forward pass: the config, the weights, the hooks and the
// sequence length; plus the small helpers every block uses (norms, hook calls by layer).
#pragma once
#include <cstdint>
#include <string>

#include "core/model_config.h"
#include "core/tensor.h"
#include "hooks/hook_set.h"
#include "model/kv_cache.h"
#include "model/weight_store.h"

namespace osc {

struct ForwardContext {
  const ModelConfig& config;
  const WeightStore& weights;
  HookSet& hooks;
  int64_t tokens = 0;  // T: the tokens of this pass (the new ones when a cache holds earlier ones)
  KvCache* cache = nullptr;     // null: a whole-sequence pass
  int64_t first_position = 0;   // position of this pass's first token (the cache length before it)

  // Runs hook point blocks.{layer}.{suffix} on data [shape] (no-op when nothing selects it).
  void hook(int64_t layer, const std::string& suffix, float* data, const Shape& shape) const;
  void hook(const std::string& name, float* data, const Shape& shape) const;
  bool active(int64_t layer, const std::string& suffix) const;

  // out [T, d_model] = the config's norm of x [T, d_model] with weight `name` (+ "name.bias").
  void norm(const std::string& name, const float* x, float* out) const;
};

// Attention sublayer: h [T, d_model] (the normalised input) → out [T, d_model]. Hooks attn.*.
// With a cache it stores this pass's keys and values and attends over every cached position.
void attention_block(const ForwardContext& ctx, int64_t layer, const float* h, float* out);
// Attention of an outlierscope-trained variant (config.attention_variant other than "softmax"):
// x [T, d_model] the attention input, q [T, H, D], k / v [keys, KV, D] -> z [T, H, D], the output
// projection's input. Hooks attn_scores, extra_score, pattern, extra_weight, gate.
void variant_attention(const ForwardContext& ctx, int64_t layer, const float* x, const float* q, const float* k,
                       const float* v, int64_t keys, float* z);
// MLP sublayer (dense or MoE): h [T, d_model] → out [T, d_model]. Hooks mlp.*.
void mlp_block(const ForwardContext& ctx, int64_t layer, const float* h, float* out);

}  // namespace osc
