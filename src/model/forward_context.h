// State shared by the pieces of one forward pass: the config, the bound weights, the hooks and
// the sequence length; plus the small helpers every block uses (norms, projections, hook calls).
#pragma once
#include <cstdint>
#include <vector>

#include "core/model_config.h"
#include "core/tensor.h"
#include "hooks/hook_set.h"
#include "hooks/hook_vocabulary.h"
#include "model/forward_weights.h"
#include "model/kv_cache.h"

namespace osc {

struct ForwardContext {
  const ModelConfig& config;
  const ForwardWeights& weights;
  HookSet& hooks;
  int64_t tokens = 0;  // T: the tokens of this pass (the new ones when a cache holds earlier ones)
  KvCache* cache = nullptr;     // null: a whole-sequence pass
  int64_t first_position = 0;   // position of this pass's first token (the cache length before it)

  // The pass rounds its tensors to bf16 (--compute bf16, model/compute_precision.h).
  bool bf16() const { return config.compute == Compute::BF16; }

  const BlockWeights& layer(int64_t l) const { return weights.blocks[static_cast<size_t>(l)]; }

  // Run hook point `p` (of layer `layer`, expert `expert`) on data [shape]; no-op when nothing
  // selects it. The scope of `p` must match the overload (hooks/hook_vocabulary.h).
  void hook(HookPoint p, float* data, const Shape& shape) const;
  void hook(int64_t layer, HookPoint p, float* data, const Shape& shape) const;
  void hook(int64_t layer, int64_t expert, HookPoint p, float* data, const Shape& shape) const;
  bool active(int64_t layer, HookPoint p) const;
  bool active(int64_t layer, int64_t expert, HookPoint p) const;
  bool intervenes(int64_t layer, HookPoint p) const;

  // out [T, d_model] = the config's norm of x [T, d_model] with weights w. The hook point (a
  // hook_normalized) sees the normalised value before w's weight and bias, as in TransformerLens;
  // an edit there is scaled and shifted like the value it replaces. In bf16, as Hugging Face:
  // RMSNorm rounds the normalised value, then the product with the weight; LayerNorm (computed
  // in f32 by PyTorch's kernel) rounds once, after the weight and bias.
  void norm(const NormWeights& w, int64_t layer, HookPoint p, const float* x, float* out) const;
  void norm(const NormWeights& w, HookPoint p, const float* x, float* out) const;

 private:
  void normalize(const float* x, float* out) const;
  void scale_shift(const NormWeights& w, float* x) const;
  void round_rms_normalized(float* x) const;
};

// out [rows, W.rows()] = x [rows, in] W^T (+ bias), rounded to bf16 in a bf16 pass.
std::vector<float> project(const ForwardContext& ctx, const float* x, int64_t rows, const LinearWeights& w);
void project_into(const ForwardContext& ctx, const float* x, int64_t rows, const LinearWeights& w, float* out);

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
