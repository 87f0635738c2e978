// OPT (OPTForCausalLM, pre-norm variants: 125m and 1.3b..66b): learned positions whose table
// starts 2 rows in (ModelConfig::position_offset), LayerNorm with bias, ReLU MLP, tied head.
// Every tensor maps one to one, so the table says it all.
#include "model/arch/arch.h"
#include "model/arch/fused.h"

namespace osc {
namespace {

// config.json's names for the family: written by opt_hf_config, selecting it when read.
const char* const kModelType = "opt";
const char* const kHfClass = "OPTForCausalLM";

nlohmann::json opt_hf_config(const ModelConfig& c) {
  return {
      {"architectures", {kHfClass}},
      {"model_type", kModelType},
      {"hidden_size", c.d_model},
      {"ffn_dim", c.d_ff},
      {"num_attention_heads", c.n_heads},
      {"num_hidden_layers", c.n_layers},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.max_positions},
      {"word_embed_proj_dim", c.d_model},
      {"do_layer_norm_before", true},
      {"layer_norm_elementwise_affine", true},
      {"enable_bias", true},
      {"activation_function", "relu"},
      {"tie_word_embeddings", true},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
      {"pad_token_id", 1},
  };
}

ModelConfig opt_example(const SizePreset& p) {
  ModelConfig c = base_example_config(p, "opt", 50272);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::ReLU;
  c.gated_mlp = false;
  c.positional = Positional::Learned;
  c.position_offset = 2;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.tied_embeddings = true;
  c.bos_token_id = c.eos_token_id = 2;
  return c;
}

void fill_opt(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  const int64_t proj = f.integer_or({"word_embed_proj_dim"}, c.d_model);
  if (proj != c.d_model)
    f.fail("OPT with word_embed_proj_dim " + std::to_string(proj) + " != hidden_size " + std::to_string(c.d_model) +
           " (projected embeddings, as in opt-350m) is not supported");
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = c.n_heads;
  c.d_head = default_head_width(c);
  c.d_ff = f.integer({"ffn_dim"});
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;  // layer_norm_elementwise_affine false is refused (opt_hf_reading)
  c.norm_eps = 1e-5;  // OPT's nn.LayerNorm default; config.json has no key for it
  c.activation = f.activation({"activation_function"}, "relu");
  c.gated_mlp = false;
  c.positional = Positional::Learned;
  c.position_offset = 2;  // OPTLearnedPositionalEmbedding adds 2 to every position
  const bool bias = f.boolean_or({"enable_bias"}, true);
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = bias;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, true);
}

HfConfigReading opt_hf_reading() {
  using nlohmann::json;
  return {{kModelType}, {kHfClass}, fill_opt, {
      read_key("activation_function", "MLP activation"),
      read_key("enable_bias", "biases on every projection"),
      read_key("tie_word_embeddings", "lm_head reuses the token embedding"),
      read_key("word_embed_proj_dim", "projected embeddings (opt-350m): refused unless equal to hidden_size"),
      only_key("do_layer_norm_before", json::array({true}), "false: post-norm blocks (opt-350m)"),
      only_key("_remove_final_layer_norm", json::array({false}), "true drops the final LayerNorm"),
      only_key("layer_norm_elementwise_affine", json::array({true}), "false: LayerNorms without weight and bias"),
  }};
}

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
      {"blocks.{l}.attn.k", hf + "self_attn.k_proj.weight", ""},
      {"blocks.{l}.attn.k.bias", hf + "self_attn.k_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.v", hf + "self_attn.v_proj.weight", ""},
      {"blocks.{l}.attn.v.bias", hf + "self_attn.v_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.q", hf + "self_attn.q_proj.weight", ""},
      {"blocks.{l}.attn.q.bias", hf + "self_attn.q_proj.bias", "", When::QkvBias},
      {"blocks.{l}.attn.o", hf + "self_attn.out_proj.weight", ""},
      {"blocks.{l}.attn.o.bias", hf + "self_attn.out_proj.bias", "", When::OutBias},
      {"blocks.{l}.ln1", hf + "self_attn_layer_norm.weight", ""},
      {"blocks.{l}.ln1.bias", hf + "self_attn_layer_norm.bias", "", When::NormBias},
      {"blocks.{l}.mlp.up", hf + "fc1.weight", ""},
      {"blocks.{l}.mlp.up.bias", hf + "fc1.bias", "", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "fc2.weight", ""},
      {"blocks.{l}.mlp.down.bias", hf + "fc2.bias", "", When::MlpBias},
      {"blocks.{l}.ln2", hf + "final_layer_norm.weight", ""},
      {"blocks.{l}.ln2.bias", hf + "final_layer_norm.bias", "", When::NormBias},
  };
  spec.bind_extra = [](const NamedTensors&, ModelConfig& c, LayerRange, WeightStore&) { require_hf_source(c); };
  spec.write_hf_config = opt_hf_config;
  spec.examples = {{"opt", opt_example}};
  spec.hf_reading = opt_hf_reading();
  spec.gguf_reading = gguf_refusal("llama.cpp has no OPT architecture: load the Hugging Face checkpoint");
  return spec;
}

}  // namespace

std::vector<ArchSpec> opt_family_archs() { return {opt_spec()}; }

}  // namespace osc
