// KvCache: the keys (after RoPE) and values of every token a model has seen so far, per layer, so
// that `run_forward(..., &cache)` runs only the new tokens of a growing sequence (generation)
// instead of the whole prefix again: one pass per new token costs O(T) attention, not O(T^2).
//   KvCache cache(model.config());
//   Tensor prompt_logits = model.forward(prompt_ids, cache);  // [T_prompt, vocab]
//   Tensor next_logits = model.forward({next_id}, cache);      // [1, vocab], at position T_prompt
#pragma once
#include <cstdint>
#include <vector>

#include "core/model_config.h"

namespace osc {

class KvCache {
 public:
  explicit KvCache(const ModelConfig& c);

  // Positions stored: the position the next new token gets.
  int64_t length() const { return length_; }
  int64_t layers() const { return static_cast<int64_t>(keys_.size()); }
  // Floats per position and layer: kv_heads · d_head.
  int64_t row() const { return row_; }
  // True when the cache was made for a model with this config's layer and KV-head shapes.
  bool fits(const ModelConfig& c) const;

  // Stores k, v [tokens, kv_heads, d_head] for `layer` at positions [length, length + tokens).
  // They become part of length() only at commit(), so a pass that fails half-way through the
  // layers leaves the cache as it was before that pass.
  void store(int64_t layer, const float* k, const float* v, int64_t tokens);
  // Keys / values of `layer`, [length + stored tokens, kv_heads, d_head] during a pass.
  const float* keys(int64_t layer) const { return keys_[static_cast<size_t>(layer)].data(); }
  const float* values(int64_t layer) const { return values_[static_cast<size_t>(layer)].data(); }
  void commit(int64_t tokens) { length_ += tokens; }
  void clear() { length_ = 0; }

 private:
  int64_t kv_heads_ = 0, d_head_ = 0, row_ = 0, length_ = 0;
  std::vector<std::vector<float>> keys_, values_;  // per layer: [positions, kv_heads, d_head]
};

}  // namespace osc
