// Factories of the built-in attention variants, one per file in this folder.
#pragma once
#include <memory>

#include "kernels/attention_variant.h"

namespace osc {

std::unique_ptr<AttentionVariant> make_softmax_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_fixed_bias_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_ctx_bias_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_attn_bias_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_ctx_scale_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_sigmoid_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_softmax1_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_clipped_softmax_variant(const VariantOptions&);
std::unique_ptr<AttentionVariant> make_gated_variant(const VariantOptions&);

}  // namespace osc
