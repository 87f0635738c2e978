#include "model/hook_points.h"

#include "kernels/attention_variant.h"

namespace osc {

std::string block_hook(int64_t layer, const std::string& suffix) {
  return "blocks." + std::to_string(layer) + "." + suffix;
}

namespace {

void attention_hooks(const ModelConfig& c, bool matrices, std::vector<std::string>& out, int64_t l) {
  for (const char* s : {"attn.hook_q", "attn.hook_k", "attn.hook_v"}) out.push_back(block_hook(l, s));
  if (c.positional == Positional::RoPE) {
    out.push_back(block_hook(l, "attn.hook_rot_q"));
    out.push_back(block_hook(l, "attn.hook_rot_k"));
  }
  if (matrices) out.push_back(block_hook(l, "attn.hook_attn_scores"));
  const AttentionVariant* variant = find_attention_variant(c.attention_variant);
  const VariantParts parts = variant ? variant->parts() : VariantParts{};
  if (parts.extra_key) out.push_back(block_hook(l, "attn.hook_extra_score"));
  if (matrices) out.push_back(block_hook(l, "attn.hook_pattern"));
  if (has_extra_slot(parts)) out.push_back(block_hook(l, "attn.hook_extra_weight"));
  if (parts.gate) out.push_back(block_hook(l, "attn.hook_gate"));
  out.push_back(block_hook(l, "attn.hook_z"));
  out.push_back(block_hook(l, "hook_attn_out"));
}

void mlp_hooks(const ModelConfig& c, std::vector<std::string>& out, int64_t l) {
  if (c.n_experts > 0) {
    out.push_back(block_hook(l, "mlp.hook_router_logits"));
    out.push_back(block_hook(l, "mlp.hook_expert_weights"));
    for (int64_t e = 0; e < c.n_experts; ++e)
      for (const char* s : {"hook_pre", "hook_pre_linear", "hook_post"})
        out.push_back(block_hook(l, "mlp.experts." + std::to_string(e) + "." + s));
    out.push_back(block_hook(l, "mlp.hook_post"));
  } else {
    out.push_back(block_hook(l, "mlp.hook_pre"));
    if (c.gated_mlp) out.push_back(block_hook(l, "mlp.hook_pre_linear"));
    out.push_back(block_hook(l, "mlp.hook_post"));
  }
  out.push_back(block_hook(l, "hook_mlp_out"));
}

}  // namespace

std::vector<std::string> hook_names(const ModelConfig& c, bool with_attention_matrices) {
  std::vector<std::string> out = {"hook_embed"};
  if (c.positional == Positional::Learned) out.push_back("hook_pos_embed");
  for (int64_t l = 0; l < c.n_layers; ++l) {
    out.push_back(block_hook(l, "hook_resid_pre"));
    out.push_back(block_hook(l, "ln1.hook_normalized"));
    attention_hooks(c, with_attention_matrices, out, l);
    if (!c.parallel_block) out.push_back(block_hook(l, "hook_resid_mid"));
    if (!c.parallel_shared_norm) out.push_back(block_hook(l, "ln2.hook_normalized"));
    mlp_hooks(c, out, l);
    out.push_back(block_hook(l, "hook_resid_post"));
  }
  out.push_back("ln_final.hook_normalized");
  out.push_back("hook_logits");
  return out;
}

}  // namespace osc
