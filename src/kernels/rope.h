// Rotary position embeddings (RoPE). Two pairings exist: rotate_half (HF LLaMA/NeoX: dimension i
// pairs with i + rotary_dims/2) and interleaved (GPT-J / Meta's original: 2i pairs with 2i+1).
// Partial rotary rotates only the first rotary_dims of each head (Phi-2, GPT-NeoX).
#pragma once
#include <cstdint>
#include <vector>

#include "core/model_config.h"

namespace osc {

struct RopeParams {
  int64_t rotary_dims = 0;  // even, <= d_head
  double theta = 10000.0;
  bool interleaved = false;
  RopeScaling scaling;      // "none", "linear" or "llama3"
  // A bf16 pass (HF with the model in bf16): cos / sin rounded to bf16, then each product and the
  // sum, as `q * cos + rotate_half(q) * sin` on bf16 tensors.
  bool round_bf16 = false;
};

RopeParams rope_params_from_config(const ModelConfig& c);

// Inverse frequencies [rotary_dims / 2], after "linear" or "llama3" scaling.
std::vector<double> rope_inv_freq(const RopeParams& p);

// Rotates x [tokens, heads, d_head] in place; token t sits at absolute position first_position + t.
void apply_rope(float* x, int64_t tokens, int64_t heads, int64_t d_head, const RopeParams& p,
                int64_t first_position = 0);

}  // namespace osc
