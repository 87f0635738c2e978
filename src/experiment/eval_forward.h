// An inference pass of a trained GptModel that can transform the input of every linear layer
// before its product: the hook the W8A8 experiment needs (per-token int8 activations), which the
// trainer's forward does not offer. It reuses the trainer's kernels and parameters, so with no
// transform it reproduces GptModel::forward exactly.
#pragma once
#include <cstdint>
#include <functional>

#include "train/gpt_model.h"

namespace osc::experiment {

// Edits one linear layer's input [rows, width] in place just before the product.
using LinearInputTransform = std::function<void(float* data, int64_t rows, int64_t width)>;

// Mean cross-entropy of `model` on tokens / targets [batch, seq] (seq <= context). The transform
// (may be empty) sees the inputs of c_attn, attn.c_proj, mlp.c_fc and mlp.c_proj of every block
// (a gated variant's gate reads the transformed c_attn input); the tied output head's input is
// left as is. BadInput for ids out of range or seq beyond the context.
double evaluate_loss(const train::GptModel& model, const int32_t* tokens, const int32_t* targets, int64_t batch,
                     int64_t seq, const LinearInputTransform& transform);

}  // namespace osc::experiment
