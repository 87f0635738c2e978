// GPT-NeoX / Pythia (GPTNeoXForCausalLM): parallel residual with two norms (input_layernorm feeds
// attention, post_attention_layernorm the MLP, both on resid_pre), partial rotary (rotary_pct),
// untied embed_out. query_key_value interleaves per head ([q_h, k_h, v_h] for each head h: the
// grouped order with one query head per group), gathered into q / k / v by bind_extra. GGUF
// (llama.cpp's convert_hf_to_gguf.py) regroups it to blocked order (all q, then k, then v) as
// attn_qkv, split without a copy.
#include "model/arch/arch.h"
#include "model/arch/fused.h"

namespace osc {
namespace {

const std::string kLayer = "gpt_neox.layers.{l}.";
const std::string kFusedQkv = kLayer + "attention.query_key_value";
const std::string kGgufLayer = "blk.{l}.";
const std::string kGgufQkv = kGgufLayer + "attn_qkv";

void bind_neox_qkv(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  if (c.source_format == "gguf") return bind_fused_qkv_layers(source, kGgufQkv, QkvOrder::Blocked, c, layers, w, "gpt_neox");
  require_hf_source(c);
  bind_fused_qkv_layers(source, kFusedQkv, QkvOrder::Grouped, c, layers, w, "gpt_neox");
}

// config.json's names for the family: written by gpt_neox_hf_config, selecting it when read.
const char* const kModelType = "gpt_neox";
const char* const kHfClass = "GPTNeoXForCausalLM";

nlohmann::json gpt_neox_hf_config(const ModelConfig& c) {
  return {
      {"architectures", {kHfClass}},
      {"model_type", kModelType},
      {"hidden_size", c.d_model},
      {"intermediate_size", c.d_ff},
      {"num_attention_heads", c.n_heads},
      {"num_hidden_layers", c.n_layers},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.max_positions},
      {"rotary_pct", c.rotary_fraction},
      {"rotary_emb_base", c.rope_theta},
      {"layer_norm_eps", c.norm_eps},
      {"hidden_act", "gelu"},
      {"use_parallel_residual", true},
      {"attention_bias", true},
      {"tie_word_embeddings", false},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
}

ModelConfig gpt_neox_example(const SizePreset& p) {
  ModelConfig c = base_example_config(p, "gpt_neox", 50432);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::GELU;
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.rotary_fraction = 0.25;
  c.parallel_block = true;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = 0;
  return c;
}

void fill_gpt_neox(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = c.n_heads;
  c.d_head = default_head_width(c);
  c.d_ff = f.integer_or({"intermediate_size"}, 4 * c.d_model);
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.norm_eps = f.number_or({"layer_norm_eps"}, 1e-5);
  c.activation = f.activation({"hidden_act"}, "gelu");
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.rope_theta = f.number_or({"rotary_emb_base", "rope_theta"}, 10000.0);
  c.rotary_fraction = f.number_or({"rotary_pct", "partial_rotary_factor"}, 0.25);
  fill_rope_scaling(f, c);
  c.parallel_block = f.boolean_or({"use_parallel_residual"}, true);
  c.parallel_shared_norm = false;  // input_layernorm and post_attention_layernorm both exist
  const bool bias = f.boolean_or({"attention_bias"}, true);
  c.attn_qkv_bias = c.attn_out_bias = bias;
  c.mlp_bias = true;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, false);
  c.add_bos = false;  // its tokenizer adds no BOS token
}

HfConfigReading gpt_neox_hf_reading() {
  const std::vector<ComputationKey> own = {
      read_key("use_parallel_residual", "attention and MLP read the same input (two norms)"),
      read_key("rotary_pct", "fraction of each head RoPE rotates (also partial_rotary_factor)"),
      read_key("rotary_emb_base", "RoPE base (also rope_theta)"),
      read_key("attention_bias", "biases on the attention projections"),
      read_key("hidden_act", "MLP activation"),
      read_key("layer_norm_eps", "LayerNorm epsilon"),
      read_key("intermediate_size", "MLP width (default 4 * hidden_size)"),
      read_key("tie_word_embeddings", "embed_out reuses the token embedding"),
  };
  return {{kModelType}, {kHfClass}, fill_gpt_neox, join_keys(own, rope_keys())};
}

// llama.cpp's "gptneox": RoPE, GELU, two norms; parallel unless use_parallel_residual is false.
void fill_gpt_neox_gguf(const GgufKeys& k, ModelConfig& c) {
  c.gated_mlp = false;
  c.activation = Activation::GELU;
  c.positional = Positional::RoPE;
  c.parallel_block = k.boolean_or("use_parallel_residual", true);
  c.parallel_shared_norm = false;
}

ArchSpec gpt_neox_spec() {
  ArchSpec spec;
  spec.name = "gpt_neox";
  spec.globals = {
      {"embed", "gpt_neox.embed_in.weight", "token_embd.weight"},
      {"ln_final", "gpt_neox.final_layer_norm.weight", "output_norm.weight"},
      {"ln_final.bias", "gpt_neox.final_layer_norm.bias", "output_norm.bias", When::NormBias},
      {"lm_head", "embed_out.weight", "output.weight", When::Untied},
  };
  const std::string hf = kLayer, gg = kGgufLayer;
  spec.per_layer = {
      {"blocks.{l}.ln1", hf + "input_layernorm.weight", gg + "attn_norm.weight"},
      {"blocks.{l}.ln1.bias", hf + "input_layernorm.bias", gg + "attn_norm.bias", When::NormBias},
      {"blocks.{l}.ln2", hf + "post_attention_layernorm.weight", gg + "ffn_norm.weight"},
      {"blocks.{l}.ln2.bias", hf + "post_attention_layernorm.bias", gg + "ffn_norm.bias", When::NormBias},
      {"blocks.{l}.attn.qkv", kFusedQkv + ".weight", kGgufQkv + ".weight", When::Always, Binding::Hook},
      {"blocks.{l}.attn.qkv.bias", kFusedQkv + ".bias", kGgufQkv + ".bias", When::QkvBias, Binding::Hook},
      {"blocks.{l}.attn.o", hf + "attention.dense.weight", gg + "attn_output.weight"},
      {"blocks.{l}.attn.o.bias", hf + "attention.dense.bias", gg + "attn_output.bias", When::OutBias},
      {"blocks.{l}.mlp.up", hf + "mlp.dense_h_to_4h.weight", gg + "ffn_up.weight"},
      {"blocks.{l}.mlp.up.bias", hf + "mlp.dense_h_to_4h.bias", gg + "ffn_up.bias", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "mlp.dense_4h_to_h.weight", gg + "ffn_down.weight"},
      {"blocks.{l}.mlp.down.bias", hf + "mlp.dense_4h_to_h.bias", gg + "ffn_down.bias", When::MlpBias},
  };
  spec.bind_extra = bind_neox_qkv;
  spec.write_hf_config = gpt_neox_hf_config;
  spec.examples = {{"gpt_neox", gpt_neox_example}};
  spec.hf_reading = gpt_neox_hf_reading();
  spec.gguf_reading = gguf_reading({"gptneox"}, fill_gpt_neox_gguf);
  return spec;
}

}  // namespace

std::vector<ArchSpec> gpt_neox_family_archs() { return {gpt_neox_spec()}; }

}  // namespace osc
