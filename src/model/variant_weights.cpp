#include "model/variant_weights.h"

#include "core/error.h"
#include "kernels/attention_variant.h"
#include "model/bind_weights.h"

namespace osc {

void bind_variant_tensors(const NamedTensors& source, const std::string& source_prefix, const ModelConfig& c,
                          const std::string& internal_prefix, WeightStore& w) {
  const AttentionVariant* variant = find_attention_variant(c.attention_variant);
  if (!variant)
    throw_bad_input("config.json", "unknown outlierscope_attention_variant '" + c.attention_variant +
                                       "' (known: " + attention_variant_names() + ")");
  const VariantParts parts = variant->parts();
  const std::string where = "attention variant " + c.attention_variant;
  auto bind = [&](const std::string& from, const std::string& to) {
    w.set(internal_prefix + to, to_owned_f32(source.get(source_prefix + from, where)));
  };
  if (parts.extra_key) bind("k_extra", "extra_k");
  if (parts.extra_value) bind("v_extra", "extra_v");
  if (!parts.gate) return;
  bind("gate.weight", "head_gate");
  if (source.contains(source_prefix + "gate.bias")) bind("gate.bias", "head_gate.bias");
}

}  // namespace osc
