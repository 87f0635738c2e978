// GPT-NeoX / Pythia (GPTNeoXForCausalLM): parallel residual with two norms (input_layernorm feeds
// attention, post_attention_layernorm the MLP, both on resid_pre), partial rotary (rotary_pct),
// untied embed_out. query_key_value interleaves per head ([q_h, k_h, v_h] for each head h: the
// grouped order with one query head per group), gathered into q / k / v by bind_extra.
#include "model/arch.h"
#include "model/arch_fused.h"

namespace osc {
namespace {

void bind_neox_qkv(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  require_hf_source(c);
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    const std::string p = "gpt_neox.layers." + std::to_string(l) + ".attention.query_key_value.";
    const TensorView* bias = c.attn_qkv_bias ? &source.get(p + "bias", "gpt_neox") : nullptr;
    bind_fused_qkv(source.get(p + "weight", "gpt_neox"), bias, QkvOrder::Grouped, c, l, w, "gpt_neox");
  }
}

ArchSpec gpt_neox_spec() {
  ArchSpec spec;
  spec.name = "gpt_neox";
  spec.globals = {
      {"embed", "gpt_neox.embed_in.weight", ""},
      {"ln_final", "gpt_neox.final_layer_norm.weight", ""},
      {"ln_final.bias", "gpt_neox.final_layer_norm.bias", "", When::NormBias},
      {"lm_head", "embed_out.weight", "", When::Untied},
  };
  const std::string hf = "gpt_neox.layers.{l}.";
  spec.per_layer = {
      {"blocks.{l}.ln1", hf + "input_layernorm.weight", ""},
      {"blocks.{l}.ln1.bias", hf + "input_layernorm.bias", "", When::NormBias},
      {"blocks.{l}.ln2", hf + "post_attention_layernorm.weight", ""},
      {"blocks.{l}.ln2.bias", hf + "post_attention_layernorm.bias", "", When::NormBias},
      {"blocks.{l}.attn.o", hf + "attention.dense.weight", ""},
      {"blocks.{l}.attn.o.bias", hf + "attention.dense.bias", "", When::OutBias},
      {"blocks.{l}.mlp.up", hf + "mlp.dense_h_to_4h.weight", ""},
      {"blocks.{l}.mlp.up.bias", hf + "mlp.dense_h_to_4h.bias", "", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "mlp.dense_4h_to_h.weight", ""},
      {"blocks.{l}.mlp.down.bias", hf + "mlp.dense_4h_to_h.bias", "", When::MlpBias},
  };
  spec.bind_extra = bind_neox_qkv;
  return spec;
}

}  // namespace

std::vector<ArchSpec> gpt_neox_family_archs() { return {gpt_neox_spec()}; }

}  // namespace osc
