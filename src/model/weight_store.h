// WeightStore: a model's weights under one internal naming scheme, whatever the source file called
// them, as views in their stored dtype (mapped memory, or an owned buffer for rows that had to be
// rearranged). Names (see docs/architecture.md):
//   embed [vocab, d_model]            pos_embed [positions, d_model]
//   blocks.{l}.ln1 / ln2 [d_model] (+ ".bias")
//   blocks.{l}.attn.q [n_heads·d_head, d_model], attn.k / attn.v [n_kv_heads·d_head, d_model],
//   blocks.{l}.attn.o [d_model, n_heads·d_head] (+ ".bias" on each)
//   blocks.{l}.attn.q_norm / attn.k_norm [d_head] (+ ".bias"): per-head LayerNorm (Phi qk_layernorm)
//   blocks.{l}.mlp.gate / mlp.up [d_ff, d_model], mlp.down [d_model, d_ff] (+ ".bias")
//     (a non-gated MLP has only up = fc1 and down = fc2)
//   blocks.{l}.mlp.router [n_experts, d_model], blocks.{l}.mlp.experts.{e}.gate / up / down (MoE)
//   ln_final [d_model] (+ ".bias"), lm_head [vocab, d_model] (+ ".bias"; absent when tied)
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace osc {

class WeightStore {
 public:
  void set(const std::string& name, TensorView view) { weights_[name] = std::move(view); }
  const TensorView* find(const std::string& name) const;
  // Throws BadInput "model: weight '<name>' is missing" (an internal name).
  const TensorView& get(const std::string& name) const;
  // f32 data of a small F32 tensor, or null when absent (norm weights and biases).
  const float* f32_or_null(const std::string& name) const;
  std::vector<std::string> names() const;
  size_t size() const { return weights_.size(); }

 private:
  std::map<std::string, TensorView> weights_;
};

// "blocks.{layer}.": the prefix of a layer's internal weight names.
std::string layer_weight_prefix(int64_t layer);

}  // namespace osc
