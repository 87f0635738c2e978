// Mixtral's sparse MLP: the router and each expert's gate / down / up [d_ff, d_model] /
// [d_model, d_ff] matrices. Hugging Face stores one tensor per expert
// (block_sparse_moe.experts.E.w1 / w2 / w3). GGUF files of current llama.cpp stack a layer's
// experts into one [experts, rows, cols] tensor (ffn_gate_exps, ffn_down_exps, ffn_up_exps);
// conversions made before that wrote one tensor per expert (ffn_gate.E, ffn_down.E, ffn_up.E).
// The expert rows are bound here, so that both GGUF forms load.
#pragma once
#include <vector>

#include "model/arch/arch.h"

namespace osc {

// The router (table-bound) and the expert rows (hook-bound, by bind_mixtral_experts), in
// save_pretrained's order. Their GGUF names are the stacked form.
std::vector<TensorRule> mixtral_moe_rows();

// Binds every expert matrix of the layers in `layers`: HF per-expert tensors, or GGUF stacked
// slices, or GGUF per-expert tensors where a layer has no stacked one.
void bind_mixtral_experts(const NamedTensors& source, const ModelConfig& c, LayerRange layers, WeightStore& weights);

}  // namespace osc
