// The hook points of a forward pass, declared once (TransformerLens's names). The forward pass
// emits by HookPoint, Model::hook_names() lists from this table (model/hook_points.h adds the
// config-dependent parts: presence and numeric shapes), the analyses and the CLI build the names
// they read from it, and a test checks docs/hooks.md's table against it row by row.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace osc {

// Every point, in the order a pass visits them (hook_table() holds one row each, in this order).
enum class HookPoint {
  Embed, PosEmbed,
  ResidPre, Ln1Normalized, Q, K, V, RotQ, RotK, AttnScores, ExtraScore, Pattern, ExtraWeight, Gate, Z,
  AttnOut, ResidMid, Ln2Normalized,
  RouterLogits, ExpertWeights, ExpertPre, ExpertPreLinear, ExpertPost,
  MlpPre, MlpPreLinear, MlpPost, MoeMlpPost, MlpOut, ResidPost,
  LnFinalNormalized, Logits,
};

// Where a point's name lives: before the blocks ("hook_embed"), in block l ("blocks.{l}.<suffix>"),
// in expert e of block l ("blocks.{l}.mlp.experts.{e}.<suffix>", listed per expert), after the
// blocks ("hook_logits").
enum class HookScope { Input, Block, Expert, Output };

// The symbols of the shapes in docs/hooks.md. Keys: the key positions of an attention matrix, T
// in a whole-sequence pass, cached + new tokens with a KV cache (printed "T").
enum class HookDim { Tokens, Keys, DModel, Heads, KvHeads, DHead, DFf, Experts, ExpertsTimesDFf, Vocab };

// Which models have the point (model/hook_points.h evaluates it on a ModelConfig).
enum class HookWhen {
  Always, LearnedPositions, RoPE, VariantExtraKey, VariantExtraSlot, VariantGate, SequentialBlock,
  OwnSecondNorm, DenseMlp, GatedDenseMlp, MoE,
};

struct HookPointInfo {
  HookPoint point;
  HookScope scope;
  std::string_view suffix;     // the name after the scope's prefix
  std::array<HookDim, 3> dims;  // the first `rank` are the shape
  int rank;
  HookWhen when;
  // [H, T, keys] matrices: the softmax path builds them only when a hook selects them, so
  // hook_names(config, false) leaves them out.
  bool attention_matrix;
};

std::span<const HookPointInfo> hook_table();
const HookPointInfo& hook_info(HookPoint p);

// Names by scope; InternalError when the point is of another scope.
std::string hook_name(HookPoint p);                                  // Input, Output: "hook_logits"
std::string hook_name(int64_t layer, HookPoint p);                   // Block: "blocks.3.hook_resid_post"
std::string hook_name(int64_t layer, int64_t expert, HookPoint p);   // Expert: "blocks.3.mlp.experts.1.hook_pre"
// A block point with the layer left as "{L}" (the analyses' site patterns, analysis::hook_name
// fills it in) and as a glob over every layer ("blocks.*.hook_resid_post"; for an expert point
// over every layer and expert: "blocks.*.mlp.experts.*.hook_pre").
std::string hook_pattern(HookPoint p);
std::string hook_glob(HookPoint p);

// docs/hooks.md's spelling: "blocks.{l}.mlp.experts.{e}.hook_pre", "[T, H, D]", "RoPE".
std::string hook_doc_name(const HookPointInfo& info);
std::string hook_doc_shape(const HookPointInfo& info);
std::string_view hook_when_label(HookWhen when);

}  // namespace osc
