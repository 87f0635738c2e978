// Element-wise MLP activations, in place over n floats.
#pragma once
#include <cstdint>

#include "core/model_config.h"

namespace osc {

void apply_activation(Activation act, float* x, int64_t n);
// x[i] = act(x[i]) · other[i]: the gated MLP's act(gate) ⊙ up.
void apply_gated_activation(Activation act, float* x, const float* other, int64_t n);
float activation_value(Activation act, float x);

}  // namespace osc
