// Evaluation of a trained GptModel with a hook on the input of every linear layer: the W8A8
// experiment quantizes activations per token through it. The pass is the trainer's own forward
// (GptModel::set_linear_input_transform), run in a replica that reads the model's parameters.
#pragma once
#include <cstdint>

#include "train/gpt_model.h"

namespace osc::experiment {

using LinearInputTransform = train::LinearInputTransform;

// Mean cross-entropy of `model` on tokens / targets [batch, seq] (seq <= context). The transform
// (may be empty) sees the inputs of c_attn, attn.c_proj, mlp.c_fc and mlp.c_proj of every block
// (a gated variant's gate reads the transformed c_attn input); the tied output head's input is
// left as is. BadInput for ids out of range or seq beyond the context.
double evaluate_loss(const train::GptModel& model, const int32_t* tokens, const int32_t* targets, int64_t batch,
                     int64_t seq, const LinearInputTransform& transform);

}  // namespace osc::experiment
