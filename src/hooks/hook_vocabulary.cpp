#include "hooks/hook_vocabulary.h"

#include <initializer_list>

#include "core/error.h"

namespace osc {
namespace {

using P = HookPoint;
using S = HookScope;
using D = HookDim;
using W = HookWhen;

constexpr HookPointInfo row(P p, S s, std::string_view suffix, std::initializer_list<D> dims, W when = W::Always,
                            bool matrix = false) {
  HookPointInfo info{p, s, suffix, {}, static_cast<int>(dims.size()), when, matrix};
  size_t i = 0;
  for (D d : dims) info.dims[i++] = d;
  return info;
}

constexpr D T = D::Tokens, DM = D::DModel, H = D::Heads, KV = D::KvHeads, DH = D::DHead, F = D::DFf;

constexpr std::array kTable = {
    row(P::Embed, S::Input, "hook_embed", {T, DM}),
    row(P::PosEmbed, S::Input, "hook_pos_embed", {T, DM}, W::LearnedPositions),
    row(P::ResidPre, S::Block, "hook_resid_pre", {T, DM}),
    row(P::Ln1Normalized, S::Block, "ln1.hook_normalized", {T, DM}),
    row(P::Q, S::Block, "attn.hook_q", {T, H, DH}),
    row(P::K, S::Block, "attn.hook_k", {T, KV, DH}),
    row(P::V, S::Block, "attn.hook_v", {T, KV, DH}),
    row(P::RotQ, S::Block, "attn.hook_rot_q", {T, H, DH}, W::RoPE),
    row(P::RotK, S::Block, "attn.hook_rot_k", {T, KV, DH}, W::RoPE),
    row(P::AttnScores, S::Block, "attn.hook_attn_scores", {H, T, D::Keys}, W::Always, true),
    row(P::ExtraScore, S::Block, "attn.hook_extra_score", {H, T}, W::VariantExtraKey),
    row(P::Pattern, S::Block, "attn.hook_pattern", {H, T, D::Keys}, W::Always, true),
    row(P::ExtraWeight, S::Block, "attn.hook_extra_weight", {H, T}, W::VariantExtraSlot),
    row(P::Gate, S::Block, "attn.hook_gate", {T, H}, W::VariantGate),
    row(P::Z, S::Block, "attn.hook_z", {T, H, DH}),
    row(P::AttnOut, S::Block, "hook_attn_out", {T, DM}),
    row(P::ResidMid, S::Block, "hook_resid_mid", {T, DM}, W::SequentialBlock),
    row(P::Ln2Normalized, S::Block, "ln2.hook_normalized", {T, DM}, W::OwnSecondNorm),
    row(P::RouterLogits, S::Block, "mlp.hook_router_logits", {T, D::Experts}, W::MoE),
    row(P::ExpertWeights, S::Block, "mlp.hook_expert_weights", {T, D::Experts}, W::MoE),
    row(P::ExpertPre, S::Expert, "hook_pre", {T, F}, W::MoE),
    row(P::ExpertPreLinear, S::Expert, "hook_pre_linear", {T, F}, W::MoE),
    row(P::ExpertPost, S::Expert, "hook_post", {T, F}, W::MoE),
    row(P::MlpPre, S::Block, "mlp.hook_pre", {T, F}, W::DenseMlp),
    row(P::MlpPreLinear, S::Block, "mlp.hook_pre_linear", {T, F}, W::GatedDenseMlp),
    row(P::MlpPost, S::Block, "mlp.hook_post", {T, F}, W::DenseMlp),
    row(P::MoeMlpPost, S::Block, "mlp.hook_post", {T, D::ExpertsTimesDFf}, W::MoE),
    row(P::MlpOut, S::Block, "hook_mlp_out", {T, DM}),
    row(P::ResidPost, S::Block, "hook_resid_post", {T, DM}),
    row(P::LnFinalNormalized, S::Output, "ln_final.hook_normalized", {T, DM}),
    row(P::Logits, S::Output, "hook_logits", {T, D::Vocab}),
};

// hook_info indexes the table by the enum's value.
constexpr bool in_enum_order() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].point) != i) return false;
  return kTable.size() == static_cast<size_t>(P::Logits) + 1;
}
static_assert(in_enum_order(), "the hook table needs one row per HookPoint, in the enum's order");

// string_view: hook_pattern may run during other files' static initialisation.
constexpr std::string_view kBlockPrefix = "blocks.", kExpertPrefix = "mlp.experts.";

const HookPointInfo& of_scope(HookPoint p, HookScope scope) {
  const HookPointInfo& info = hook_info(p);
  if (info.scope != scope)
    throw_internal("hooks", "hook point " + std::string(info.suffix) + " named in the wrong scope");
  return info;
}

std::string block_prefix(const std::string& layer) { return std::string(kBlockPrefix) + layer + "."; }

std::string_view dim_symbol(HookDim d) {
  switch (d) {
    case D::Tokens: case D::Keys: return "T";
    case D::DModel: return "d_model";
    case D::Heads: return "H";
    case D::KvHeads: return "KV";
    case D::DHead: return "D";
    case D::DFf: return "F";
    case D::Experts: return "E";
    case D::ExpertsTimesDFf: return "E·F";
    case D::Vocab: return "vocab";
  }
  return "?";
}

}  // namespace

std::span<const HookPointInfo> hook_table() { return kTable; }

const HookPointInfo& hook_info(HookPoint p) { return kTable.at(static_cast<size_t>(p)); }

std::string hook_name(HookPoint p) {
  const HookPointInfo& info = hook_info(p);
  if (info.scope != S::Input && info.scope != S::Output)
    throw_internal("hooks", "hook point " + std::string(info.suffix) + " needs a layer");
  return std::string(info.suffix);
}

std::string hook_name(int64_t layer, HookPoint p) {
  return block_prefix(std::to_string(layer)) + std::string(of_scope(p, S::Block).suffix);
}

std::string hook_name(int64_t layer, int64_t expert, HookPoint p) {
  return block_prefix(std::to_string(layer)) + std::string(kExpertPrefix) + std::to_string(expert) + "." +
         std::string(of_scope(p, S::Expert).suffix);
}

std::string hook_pattern(HookPoint p) { return block_prefix("{L}") + std::string(of_scope(p, S::Block).suffix); }

std::string hook_glob(HookPoint p) {
  const HookPointInfo& info = hook_info(p);
  if (info.scope == S::Expert) return block_prefix("*") + std::string(kExpertPrefix) + "*." + std::string(info.suffix);
  return block_prefix("*") + std::string(of_scope(p, S::Block).suffix);
}

std::string hook_doc_name(const HookPointInfo& info) {
  const std::string suffix(info.suffix);
  switch (info.scope) {
    case S::Block: return block_prefix("{l}") + suffix;
    case S::Expert: return block_prefix("{l}") + std::string(kExpertPrefix) + "{e}." + suffix;
    case S::Input: case S::Output: return suffix;
  }
  return suffix;
}

std::string hook_doc_shape(const HookPointInfo& info) {
  std::string s = "[";
  for (int i = 0; i < info.rank; ++i) s += (i ? ", " : "") + std::string(dim_symbol(info.dims[static_cast<size_t>(i)]));
  return s + "]";
}

std::string_view hook_when_label(HookWhen when) {
  switch (when) {
    case W::Always: return "always";
    case W::LearnedPositions: return "learned positions";
    case W::RoPE: return "RoPE";
    case W::VariantExtraKey: return "variant with an extra key";
    case W::VariantExtraSlot: return "variant with an extra slot";
    case W::VariantGate: return "gated variant";
    case W::SequentialBlock: return "sequential block";
    case W::OwnSecondNorm: return "second norm";
    case W::DenseMlp: return "dense MLP";
    case W::GatedDenseMlp: return "gated dense MLP";
    case W::MoE: return "MoE";
  }
  return "?";
}

}  // namespace osc
