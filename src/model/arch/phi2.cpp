// Phi-2 (PhiForCausalLM): parallel attention and MLP behind one input_layernorm, separate q/k/v
// with biases, partial rotary (partial_rotary_factor), gelu_new, untied lm_head with a bias;
// with qk_layernorm, per-head LayerNorms q_layernorm / k_layernorm [d_head] on q and k.
// Every tensor maps one to one.
#include "model/arch/arch.h"
#include "model/arch/fused.h"

namespace osc {
namespace {

// config.json's names for the family: written by phi2_hf_config, selecting it when read.
const char* const kModelType = "phi";
const char* const kHfClass = "PhiForCausalLM";

nlohmann::json phi2_hf_config(const ModelConfig& c) {
  nlohmann::json j = llama_style_size_keys(c);
  j.update({
      {"architectures", {kHfClass}},
      {"model_type", kModelType},
      {"partial_rotary_factor", c.rotary_fraction},
      {"rope_theta", c.rope_theta},
      {"layer_norm_eps", c.norm_eps},
      {"hidden_act", "gelu_new"},
      {"qk_layernorm", false},
      {"tie_word_embeddings", false},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  });
  return j;
}

// Phi-2 rotates 0.4 of each 80-wide head (32 dims). Other head widths keep the largest even
// count not above 0.4 * d_head, so that the fraction stays exact and RoPE pairs stay whole.
double phi2_rotary_fraction(int64_t d_head) {
  int64_t dims = (d_head * 2 / 5) / 2 * 2;
  return static_cast<double>(dims) / static_cast<double>(d_head);
}

ModelConfig phi2_example(const SizePreset& p) {
  ModelConfig c = base_example_config(p, "phi2", 51200);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::GELUTanh;
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.rotary_fraction = phi2_rotary_fraction(c.d_head);
  c.parallel_block = true;
  c.parallel_shared_norm = true;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.lm_head_bias = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = c.vocab_size > 50256 ? 50256 : c.vocab_size - 1;
  return c;
}

void fill_phi(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = f.integer_or({"num_key_value_heads"}, c.n_heads);
  c.d_head = default_head_width(c);
  c.d_ff = f.integer({"intermediate_size"});
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.norm_eps = f.number_or({"layer_norm_eps"}, 1e-5);
  c.activation = f.activation({"hidden_act"}, "gelu_new");
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.rope_theta = f.number_or({"rope_theta"}, 10000.0);
  c.rotary_fraction = f.number_or({"partial_rotary_factor"}, 0.5);
  fill_rope_scaling(f, c);
  c.qk_norm = f.boolean_or({"qk_layernorm"}, false);
  c.parallel_block = c.parallel_shared_norm = true;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = c.lm_head_bias = true;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, false);
  c.add_bos = false;  // its tokenizer adds no BOS token
}

HfConfigReading phi2_hf_reading() {
  const std::vector<ComputationKey> own = {
      read_key("partial_rotary_factor", "fraction of each head RoPE rotates"),
      read_key("qk_layernorm", "LayerNorm over each head's q and k before RoPE"),
      read_key("num_key_value_heads", "grouped-query attention"),
      read_key("hidden_act", "MLP activation"),
      read_key("layer_norm_eps", "LayerNorm epsilon"),
      read_key("tie_word_embeddings", "lm_head reuses the token embedding"),
  };
  return {{kModelType}, {kHfClass}, fill_phi, join_keys(own, rope_keys())};
}

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
      {"blocks.{l}.attn.q.bias", hf + "self_attn.q_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.k", hf + "self_attn.k_proj.weight", ""},
      {"blocks.{l}.attn.k.bias", hf + "self_attn.k_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.v", hf + "self_attn.v_proj.weight", ""},
      {"blocks.{l}.attn.v.bias", hf + "self_attn.v_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.o", hf + "self_attn.dense.weight", ""},
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
  spec.write_hf_config = phi2_hf_config;
  spec.examples = {{"phi2", phi2_example}};
  spec.hf_reading = phi2_hf_reading();
  return spec;
}

}  // namespace

std::vector<ArchSpec> phi2_family_archs() { return {phi2_spec()}; }

}  // namespace osc
