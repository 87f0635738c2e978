#include "model/arch/hf_layout.h"

#include <algorithm>

#include "core/error.h"
#include "model/bind_weights.h"

namespace osc {
namespace {

TensorRole role_of(const std::string& internal) {
  if (internal.ends_with(".bias")) return TensorRole::Bias;
  for (const char* norm : {"ln1", "ln2", "ln_final", "q_norm", "k_norm"})
    if (internal.ends_with(norm)) return TensorRole::NormGain;
  return TensorRole::Matrix;
}

Shape source_shape(const TensorRule& rule, const std::string& internal, const ModelConfig& c) {
  const int64_t fused_rows = (c.n_heads + 2 * c.n_kv_heads) * c.d_head;
  Shape shape;
  if (internal.ends_with("attn.qkv")) shape = {fused_rows, c.d_model};
  else if (internal.ends_with("attn.qkv.bias")) shape = {fused_rows};
  else if (internal == "pos_embed") shape = {c.max_positions + c.position_offset, c.d_model};
  else shape = expected_weight_shape(internal, c);
  if (shape.empty()) throw_internal(rule.internal, "no shape for this weight name");
  if (rule.binding == Binding::HookTransposed) std::reverse(shape.begin(), shape.end());
  return shape;
}

void add_row(const TensorRule& rule, const std::string& internal, const std::string& hf, const ModelConfig& c,
             std::vector<HfTensor>& out) {
  out.push_back({hf, source_shape(rule, internal, c), role_of(internal)});
}

// Rows holding {e}, expanded expert by expert (all of expert 0's tensors, then 1's, ...).
void add_expert_rows(const std::vector<const TensorRule*>& rows, int64_t layer, const ModelConfig& c,
                     std::vector<HfTensor>& out) {
  for (int64_t e = 0; e < c.n_experts; ++e)
    for (const TensorRule* r : rows) add_row(*r, expand_name(r->internal, layer, e), expand_name(r->hf, layer, e), c, out);
}

void add_rows(const std::vector<const TensorRule*>& rows, int64_t layer, const ModelConfig& c,
              std::vector<HfTensor>& out) {
  std::vector<const TensorRule*> experts;
  for (const TensorRule* r : rows) {
    if (r->internal.find("{e}") != std::string::npos) {
      experts.push_back(r);
      continue;
    }
    add_expert_rows(experts, layer, c, out);
    experts.clear();
    add_row(*r, expand_name(r->internal, layer), expand_name(r->hf, layer), c, out);
  }
  add_expert_rows(experts, layer, c, out);
}

// The rows present in an HF checkpoint of this config.
std::vector<const TensorRule*> present(const std::vector<TensorRule>& rules, const ModelConfig& c) {
  std::vector<const TensorRule*> out;
  for (const TensorRule& r : rules)
    if (!r.hf.empty() && when_applies(r.when, c)) out.push_back(&r);
  return out;
}

bool is_embedding(const TensorRule* r) { return r->internal == "embed" || r->internal == "pos_embed"; }

}  // namespace

std::vector<HfTensor> hf_tensor_layout(const ArchSpec& spec, const ModelConfig& c) {
  std::vector<const TensorRule*> before, after;
  for (const TensorRule* r : present(spec.globals, c)) (is_embedding(r) ? before : after).push_back(r);
  std::vector<HfTensor> out;
  add_rows(before, 0, c, out);
  const std::vector<const TensorRule*> layer_rows = present(spec.per_layer, c);
  for (int64_t l = 0; l < c.n_layers; ++l) add_rows(layer_rows, l, c, out);
  add_rows(after, 0, c, out);
  return out;
}

}  // namespace osc
