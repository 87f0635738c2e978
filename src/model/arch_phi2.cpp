// Phi-2 (PhiForCausalLM): parallel attention and MLP behind one input_layernorm, separate q/k/v
// with biases, partial rotary (partial_rotary_factor), gelu_new, untied lm_head with a bias;
// with qk_layernorm, per-head LayerNorms q_layernorm / k_layernorm [d_head] on q and k.
// Every tensor maps one to one.
#include "model/arch.h"
#include "model/arch_fused.h"

namespace osc {
namespace {

ArchSpec phi2_spec() {
  ArchSpec spec;
  spec.name = "phi2";
  spec.globals = {
      {"embed", "model.embed_tokens.weight", ""},
      {"ln_final", "model.final_layernorm.weight", ""},
      {"ln_final.bias", "model.final_layernorm.bias", "", When::NormBias},
      {"lm_head", "lm_head.weight", "", When::Untied},
      {"lm_head.bias", "lm_head.bias", "", When::LmHeadBias},
  };
  const std::string hf = "model.layers.{l}.";
  spec.per_layer = {
      {"blocks.{l}.ln1", hf + "input_layernorm.weight", ""},
      {"blocks.{l}.ln1.bias", hf + "input_layernorm.bias", "", When::NormBias},
      {"blocks.{l}.attn.q", hf + "self_attn.q_proj.weight", ""},
      {"blocks.{l}.attn.k", hf + "self_attn.k_proj.weight", ""},
      {"blocks.{l}.attn.v", hf + "self_attn.v_proj.weight", ""},
      {"blocks.{l}.attn.o", hf + "self_attn.dense.weight", ""},
      {"blocks.{l}.attn.q.bias", hf + "self_attn.q_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.k.bias", hf + "self_attn.k_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.v.bias", hf + "self_attn.v_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.o.bias", hf + "self_attn.dense.bias", "", When::OutBias},
      {"blocks.{l}.attn.q_norm", hf + "self_attn.q_layernorm.weight", "", When::QkNorm},
      {"blocks.{l}.attn.q_norm.bias", hf + "self_attn.q_layernorm.bias", "", When::QkNorm},
      {"blocks.{l}.attn.k_norm", hf + "self_attn.k_layernorm.weight", "", When::QkNorm},
      {"blocks.{l}.attn.k_norm.bias", hf + "self_attn.k_layernorm.bias", "", When::QkNorm},
      {"blocks.{l}.mlp.up", hf + "mlp.fc1.weight", ""},
      {"blocks.{l}.mlp.up.bias", hf + "mlp.fc1.bias", "", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "mlp.fc2.weight", ""},
      {"blocks.{l}.mlp.down.bias", hf + "mlp.fc2.bias", "", When::MlpBias},
  };
  spec.bind_extra = [](const NamedTensors&, ModelConfig& c, LayerRange, WeightStore&) { require_hf_source(c); };
  return spec;
}

}  // namespace

std::vector<ArchSpec> phi2_family_archs() { return {phi2_spec()}; }

}  // namespace osc
