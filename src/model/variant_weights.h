// Binding of the attention-variant tensors of `outlierscope train` exports (GPT-2 layout, config
// key outlierscope_attention_variant): per layer h.{l}.attn.k_extra [H, D], attn.v_extra [H, D],
// attn.gate.weight [H, d_model] and attn.gate.bias [H] (absent when trained without biases), as
// the variant's parts require (kernels/attention_variant.h).
#pragma once
#include <string>

#include "core/model_config.h"
#include "formats/named_tensors.h"
#include "model/weight_store.h"

namespace osc {

// source_prefix "h.3.attn.", internal_prefix "blocks.3.attn." -> attn.extra_k, attn.extra_v,
// attn.head_gate, attn.head_gate.bias (f32 copies). BadInput for an unknown variant or a missing tensor.
void bind_variant_tensors(const NamedTensors& source, const std::string& source_prefix, const ModelConfig& c,
                          const std::string& internal_prefix, WeightStore& w);

}  // namespace osc
