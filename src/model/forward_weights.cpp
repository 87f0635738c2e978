#include "model/forward_weights.h"

namespace osc {
namespace {

LinearWeights linear_weights(const WeightStore& w, const std::string& name) {
  return {w.get(name), w.f32_or_null(name + ".bias")};
}

NormWeights norm_weights(const WeightStore& w, const ModelConfig& c, const std::string& name) {
  return {w.f32_or_null(name), c.norm == NormType::LayerNorm ? w.f32_or_null(name + ".bias") : nullptr};
}

AttentionWeights attention_weights(const WeightStore& w, const ModelConfig& c, const std::string& p) {
  AttentionWeights a;
  a.q = linear_weights(w, p + "q");
  a.k = linear_weights(w, p + "k");
  a.v = linear_weights(w, p + "v");
  a.o = linear_weights(w, p + "o");
  if (c.qk_norm) {
    // Per-head LayerNorms whatever the model's norm type.
    a.q_norm = {w.f32_or_null(p + "q_norm"), w.f32_or_null(p + "q_norm.bias")};
    a.k_norm = {w.f32_or_null(p + "k_norm"), w.f32_or_null(p + "k_norm.bias")};
  }
  if (c.attention_variant != "softmax") {
    a.extra_k = w.f32_or_null(p + "extra_k");
    a.extra_v = w.f32_or_null(p + "extra_v");
    a.head_gate = w.f32_or_null(p + "head_gate");
    a.head_gate_bias = w.f32_or_null(p + "head_gate.bias");
  }
  return a;
}

MlpWeights mlp_weights(const WeightStore& w, const ModelConfig& c, const std::string& p) {
  MlpWeights m;
  if (c.n_experts == 0) {
    if (c.gated_mlp) m.gate = linear_weights(w, p + "gate");
    m.up = linear_weights(w, p + "up");
    m.down = linear_weights(w, p + "down");
    return m;
  }
  m.router = linear_weights(w, p + "router");
  for (int64_t e = 0; e < c.n_experts; ++e) {
    const std::string x = p + "experts." + std::to_string(e) + ".";
    m.experts.push_back({linear_weights(w, x + "gate"), linear_weights(w, x + "up"), linear_weights(w, x + "down")});
  }
  return m;
}

BlockWeights block_weights(const WeightStore& w, const ModelConfig& c, int64_t layer) {
  const std::string p = layer_weight_prefix(layer);
  return {norm_weights(w, c, p + "ln1"), norm_weights(w, c, p + "ln2"), attention_weights(w, c, p + "attn."),
          mlp_weights(w, c, p + "mlp.")};
}

}  // namespace

ForwardWeights bind_forward_weights(const WeightStore& w, const ModelConfig& c, LayerRange layers) {
  ForwardWeights f;
  f.embed = w.get("embed");
  if (c.positional == Positional::Learned) f.pos_embed = w.get("pos_embed");
  f.blocks.resize(static_cast<size_t>(c.n_layers));
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) f.blocks[static_cast<size_t>(l)] = block_weights(w, c, l);
  f.ln_final = norm_weights(w, c, "ln_final");
  f.unembed = {c.tied_embeddings ? w.get("embed") : w.get("lm_head"), w.f32_or_null("lm_head.bias")};
  return f;
}

}  // namespace osc
