// Element-wise MLP activations, in place over n floats.
#pragma once
#include <cstdint>

#include "core/model_config.h"

namespace osc {

void apply_activation(Activation act, float* x, int64_t n);
// x[i] = act(x[i]) · other[i]: the gated MLP's act(gate) ⊙ up.
void apply_gated_activation(Activation act, float* x, const float* other, int64_t n);
float activation_value(Activation act, float x);
// x[i] = act(x[i]) as Hugging Face computes it on a bf16 tensor (--compute bf16): the f32 value
// rounded to bf16, except gelu_new (GELUTanh), whose HF module NewGELUActivation is a chain of bf16
// operations, `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))`, each rounded.
void apply_activation_bf16(Activation act, float* x, int64_t n);

}  // namespace osc
