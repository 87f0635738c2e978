// Causal multi-head attention of one layer for any AttentionVariant: forward and backward over a
// batch of B sequences of length T, parallel over (sequence, head). The same functions serve
// training and an inference pass (which can read the hook values in AttentionSaved).
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/attention_variant.h"

namespace osc::train {

struct AttentionDims {
  int64_t batch = 0, seq = 0, heads = 0, d_head = 0;
  int64_t dim() const { return heads * d_head; }
  int64_t rows() const { return batch * seq; }
};

// Variant parameters of one layer (null when the variant has none).
struct AttentionExtras {
  const float* k_extra = nullptr;  // [heads, d_head]
  const float* v_extra = nullptr;  // [heads, d_head]
  const float* gate_w = nullptr;   // [heads, dim]
  const float* gate_b = nullptr;   // [heads] (null without biases)
};
struct AttentionExtraGrads {
  float* k_extra = nullptr;
  float* v_extra = nullptr;
  float* gate_w = nullptr;
  float* gate_b = nullptr;
};

// What the forward keeps for the backward; also the hook values of the variant.
struct AttentionSaved {
  std::vector<float> weights;        // [B, H, T, T] saved rows (attention weights; zero above the diagonal)
  std::vector<float> weights_extra;  // [B, H, T] weight of v' / the extra slot (a sink indicator)
  std::vector<float> head_out;       // [B*T, dim] head outputs before the gate (gated variants only)
  std::vector<float> gate_z;         // [B*T, H] gate pre-activations
  std::vector<float> gate;           // [B*T, H] gate values (S_c for ctx_scale)
  void resize(const AttentionDims& d, const VariantParts& parts);
};

// Per-thread scratch, sized once.
struct AttentionWorkspace {
  std::vector<float> per_thread;  // threads x (T*T + T*d_head + 2*T)
  std::vector<float> partials;    // [B, H, 2, d_head] per-(sequence, head) sums for k', v' grads
  std::vector<float> gate_dz;     // [B*T, H]
  std::vector<float> reduce;
};

// x: attention input (the LayerNorm output) [B*T, dim]; qkv: [B*T, 3*dim] (q | k | v, heads
// contiguous inside each); y: [B*T, dim].
void attention_forward(const AttentionVariant& variant, const AttentionDims& d, const float* x, const float* qkv,
                       const AttentionExtras& p, AttentionSaved& saved, AttentionWorkspace& ws, float* y);
// dqkv is overwritten; for gated variants dx is overwritten with the gate's contribution to
// dL/dx (untouched otherwise); extra grads accumulate.
void attention_backward(const AttentionVariant& variant, const AttentionDims& d, const float* x, const float* qkv,
                        const AttentionExtras& p, const AttentionSaved& saved, const float* dy, AttentionWorkspace& ws,
                        float* dqkv, float* dx, AttentionExtraGrads& g);

}  // namespace osc::train
