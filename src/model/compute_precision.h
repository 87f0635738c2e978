// --compute f32|bf16: the precision of a forward pass's activations.
//
// f32 (the default) keeps every activation in f32, whatever the weights' dtype: massive
// activations of thousands sit next to values of 1e-3, and an analysis of outliers needs both.
// bf16 reproduces what Hugging Face's PyTorch module computes with the model in torch.bfloat16
// (eager attention): the weights rounded to bf16 once, as .to(torch.bfloat16) does, and every
// tensor the module makes in bf16 rounded to bf16 where it is made (docs/hooks.md, "Compute
// precision", lists the points). Products of bf16 values are exact in f32 and are summed in f32,
// as PyTorch's bf16 matmul does: the linear layers run on the stream kernel for few tokens and on
// oneDNN's bf16 matmul past it (kernels/bf16_matmul.h), the same numbers up to the order of the
// additions.
#pragma once
#include <string>

#include "core/model_config.h"
#include "model/weight_store.h"

namespace osc {

// "f32" / "bf16" → Compute; BadInput naming `option` for anything else.
Compute parse_compute(const std::string& text, const std::string& option = "--compute");
const char* compute_name(Compute c);

// BadInput naming `path` when `c` cannot run in bf16: the families outside LLaMA / Mistral /
// Mixtral / Qwen2 / GPT-2 (their bf16 op order is not emulated), trained attention variants.
void require_bf16_support(const ModelConfig& c, const std::string& path);

// The weights as Hugging Face's model.to(torch.bfloat16) holds them: F32 / F16 matrices as BF16
// copies, F32 vectors (norm weights, biases) with bf16-rounded values, BF16 as they are. BadInput
// naming `path` and the tensor for a quantized or integer weight.
WeightStore bf16_weights(const WeightStore& w, const std::string& path);

}  // namespace osc
