#include "model/hook_points.h"

#include "kernels/attention_variant.h"

namespace osc {
namespace {

VariantParts variant_parts(const ModelConfig& c) {
  const AttentionVariant* variant = find_attention_variant(c.attention_variant);
  return variant ? variant->parts() : VariantParts{};
}

int64_t dim_size(HookDim d, const ModelConfig& c, int64_t tokens, int64_t keys) {
  switch (d) {
    case HookDim::Tokens: return tokens;
    case HookDim::Keys: return keys;
    case HookDim::DModel: return c.d_model;
    case HookDim::Heads: return c.n_heads;
    case HookDim::KvHeads: return c.n_kv_heads;
    case HookDim::DHead: return c.d_head;
    case HookDim::DFf: return c.d_ff;
    case HookDim::Experts: return c.n_experts;
    case HookDim::ExpertsTimesDFf: return c.n_experts * c.d_ff;
    case HookDim::Vocab: return c.vocab_size;
  }
  return 0;
}

// Appends block `layer`'s points; the contiguous expert rows are listed once per expert.
void list_block(const ModelConfig& c, int64_t layer, bool matrices, std::vector<ListedHook>& out) {
  const std::span<const HookPointInfo> table = hook_table();
  auto listed = [&](const HookPointInfo& i) { return hook_present(i.when, c) && (matrices || !i.attention_matrix); };
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i].scope == HookScope::Block && listed(table[i]))
      out.push_back({hook_name(layer, table[i].point), &table[i]});
    if (table[i].scope != HookScope::Expert) continue;
    size_t end = i;
    while (end < table.size() && table[end].scope == HookScope::Expert) ++end;
    for (int64_t e = 0; e < c.n_experts; ++e)
      for (size_t j = i; j < end; ++j)
        if (listed(table[j])) out.push_back({hook_name(layer, e, table[j].point), &table[j]});
    i = end - 1;
  }
}

void list_scope(const ModelConfig& c, HookScope scope, std::vector<ListedHook>& out) {
  for (const HookPointInfo& i : hook_table())
    if (i.scope == scope && hook_present(i.when, c)) out.push_back({hook_name(i.point), &i});
}

}  // namespace

bool hook_present(HookWhen when, const ModelConfig& c) {
  switch (when) {
    case HookWhen::Always: return true;
    case HookWhen::LearnedPositions: return c.positional == Positional::Learned;
    case HookWhen::RoPE: return c.positional == Positional::RoPE;
    case HookWhen::VariantExtraKey: return variant_parts(c).extra_key;
    case HookWhen::VariantExtraSlot: return has_extra_slot(variant_parts(c));
    case HookWhen::VariantGate: return variant_parts(c).gate;
    case HookWhen::SequentialBlock: return !c.parallel_block;
    case HookWhen::OwnSecondNorm: return !c.parallel_shared_norm;
    case HookWhen::DenseMlp: return c.n_experts == 0;
    case HookWhen::GatedDenseMlp: return c.n_experts == 0 && c.gated_mlp;
    case HookWhen::MoE: return c.n_experts > 0;
  }
  return false;
}

Shape hook_shape(const HookPointInfo& info, const ModelConfig& c, int64_t tokens, int64_t keys) {
  Shape s;
  for (int i = 0; i < info.rank; ++i) s.push_back(dim_size(info.dims[static_cast<size_t>(i)], c, tokens, keys));
  return s;
}

std::vector<ListedHook> list_hooks(const ModelConfig& c, bool with_attention_matrices) {
  std::vector<ListedHook> out;
  list_scope(c, HookScope::Input, out);
  for (int64_t l = 0; l < c.n_layers; ++l) list_block(c, l, with_attention_matrices, out);
  list_scope(c, HookScope::Output, out);
  return out;
}

std::vector<std::string> hook_names(const ModelConfig& c, bool with_attention_matrices) {
  std::vector<std::string> names;
  for (ListedHook& h : list_hooks(c, with_attention_matrices)) names.push_back(std::move(h.name));
  return names;
}

}  // namespace osc
