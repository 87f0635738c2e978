// The weights a forward pass reads, looked up by name once when a Model is made (llama.cpp's
// habit), so the pass itself builds no names and searches no map. Matrices are views in their
// stored dtype (each view keeps its buffer or mapping alive, so the struct may be copied); norm
// weights and biases are f32 arrays (bind_weights made them so), null where the model has none.
// The WeightStore stays the by-name access for the analyses.
#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "core/model_config.h"
#include "model/layer_range.h"
#include "model/weight_store.h"

namespace osc {

struct LinearWeights {
  TensorView weight;            // [out, in]
  const float* bias = nullptr;  // [out]
};

struct NormWeights {
  const float* weight = nullptr;  // [dim]
  const float* bias = nullptr;    // [dim], LayerNorm only
};

struct AttentionWeights {
  LinearWeights q, k, v, o;
  NormWeights q_norm, k_norm;  // [d_head]: Phi's qk_layernorm
  // Attention variants (variant_attention.cpp): extra key and value [H, D], head gate [H, d_model] + [H].
  const float* extra_k = nullptr;
  const float* extra_v = nullptr;
  const float* head_gate = nullptr;
  const float* head_gate_bias = nullptr;
};

struct ExpertWeights {
  LinearWeights gate, up, down;
};

struct MlpWeights {
  LinearWeights gate, up, down;  // dense; a plain MLP has no gate (up = fc1, down = fc2)
  LinearWeights router;          // MoE [n_experts, d_model]
  std::vector<ExpertWeights> experts;
};

struct BlockWeights {
  NormWeights ln1, ln2;
  AttentionWeights attn;
  MlpWeights mlp;
};

struct ForwardWeights {
  TensorView embed;      // [vocab, d_model]
  TensorView pos_embed;  // [positions, d_model], learned positions only
  std::vector<BlockWeights> blocks;
  NormWeights ln_final;
  LinearWeights unembed;  // lm_head, or the embedding when tied
};

// Everything the forward pass of `c` reads, of the blocks in `layers` (the others stay empty: a
// process of a layer-pipelined job holds only its own); BadInput "model: weight '<name>' is
// missing" for a weight it needs that `w` lacks.
ForwardWeights bind_forward_weights(const WeightStore& w, const ModelConfig& c, LayerRange layers = {});

}  // namespace osc
