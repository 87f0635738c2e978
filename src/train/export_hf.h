// Export of a trained model as an HF-style GPT-2 folder (config.json + model.safetensors) that loads
// as plain GPT-2 for the softmax variant. Linear weights are written in GPT-2's Conv1D layout
// [in, out]; a model trained without biases gets zero biases. Other variants add
// "outlierscope_attention_variant" to config.json and their tensors h.<l>.attn.k_extra /
// v_extra [heads, d_head], h.<l>.attn.gate.weight [heads, dim] (nn.Linear layout) and
// h.<l>.attn.gate.bias [heads].
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "train/gpt_model.h"

namespace osc::train {

// The export in memory: the tensors in HF names and layouts (views into `model`'s parameters or
// into `owned`, so the model must outlive them) and the config.json.
struct HfGpt2Export {
  std::vector<std::pair<std::string, TensorView>> tensors;
  std::vector<std::vector<float>> owned;  // transposed weights and zero biases
  nlohmann::json config;
};
HfGpt2Export hf_gpt2_export(const GptModel& model, int64_t bos_token, int64_t eos_token);

void export_hf_gpt2(const GptModel& model, const std::string& dir, int64_t bos_token, int64_t eos_token);

}  // namespace osc::train
