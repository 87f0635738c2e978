// OPT (OPTForCausalLM, pre-norm variants: 125m and 1.3b..66b): learned positions whose table
// starts 2 rows in (ModelConfig::position_offset), LayerNorm with bias, ReLU MLP, tied head.
// Every tensor maps one to one, so the table says it all.
#include "model/arch.h"
#include "model/arch_fused.h"

namespace osc {
namespace {

ArchSpec opt_spec() {
  ArchSpec spec;
  spec.name = "opt";
  const std::string d = "model.decoder.";
  spec.globals = {
      {"embed", d + "embed_tokens.weight", ""},
      {"pos_embed", d + "embed_positions.weight", "", When::LearnedPos},
      {"ln_final", d + "final_layer_norm.weight", ""},
      {"ln_final.bias", d + "final_layer_norm.bias", "", When::NormBias},
      {"lm_head", "lm_head.weight", "", When::Untied},
  };
  const std::string hf = d + "layers.{l}.";
  spec.per_layer = {
      {"blocks.{l}.ln1", hf + "self_attn_layer_norm.weight", ""},
      {"blocks.{l}.ln1.bias", hf + "self_attn_layer_norm.bias", "", When::NormBias},
      {"blocks.{l}.ln2", hf + "final_layer_norm.weight", ""},
      {"blocks.{l}.ln2.bias", hf + "final_layer_norm.bias", "", When::NormBias},
      {"blocks.{l}.attn.q", hf + "self_attn.q_proj.weight", ""},
      {"blocks.{l}.attn.k", hf + "self_attn.k_proj.weight", ""},
      {"blocks.{l}.attn.v", hf + "self_attn.v_proj.weight", ""},
      {"blocks.{l}.attn.o", hf + "self_attn.out_proj.weight", ""},
      {"blocks.{l}.attn.q.bias", hf + "self_attn.q_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.k.bias", hf + "self_attn.k_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.v.bias", hf + "self_attn.v_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.o.bias", hf + "self_attn.out_proj.bias", "", When::OutBias},
      {"blocks.{l}.mlp.up", hf + "fc1.weight", ""},
      {"blocks.{l}.mlp.up.bias", hf + "fc1.bias", "", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "fc2.weight", ""},
      {"blocks.{l}.mlp.down.bias", hf + "fc2.bias", "", When::MlpBias},
  };
  spec.bind_extra = [](const NamedTensors&, ModelConfig& c, LayerRange, WeightStore&) { require_hf_source(c); };
  return spec;
}

}  // namespace

std::vector<ArchSpec> opt_family_archs() { return {opt_spec()}; }

}  // namespace osc
