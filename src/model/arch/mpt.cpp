// MPT (MptForCausalLM): ALiBi (slopes from alibi_bias_max), optional clip_qkv, LayerNorm usually
// without bias, no biases in the linears (no_bias), tied head. The fused Wqkv holds q, k, v one
// after the other (blocked order), split by bind_extra without a copy. GGUF (llama.cpp) keeps Wqkv
// as attn_qkv in the same order.
#include "model/arch/arch.h"
#include "model/arch/fused.h"

namespace osc {
namespace {

const std::string kLayer = "transformer.blocks.{l}.";
const std::string kFusedQkv = kLayer + "attn.Wqkv";
const std::string kGgufLayer = "blk.{l}.";
const std::string kGgufQkv = kGgufLayer + "attn_qkv";

void bind_mpt_qkv(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  const std::string& stem = c.source_format == "gguf" ? kGgufQkv : kFusedQkv;
  bind_fused_qkv_layers(source, stem, QkvOrder::Blocked, c, layers, w, "mpt");
}

// config.json's names for the family: written by mpt_hf_config, selecting it when read.
const char* const kModelType = "mpt";
const char* const kHfClass = "MPTForCausalLM";

nlohmann::json mpt_hf_config(const ModelConfig& c) {
  nlohmann::json attn = {
      {"attn_type", "multihead_attention"},
      {"alibi", true},
      {"alibi_bias_max", *c.alibi_bias_max},
      {"clip_qkv", nullptr},
      {"qk_ln", false},
      {"softmax_scale", nullptr},
  };
  return {
      {"architectures", {kHfClass}},
      {"model_type", kModelType},
      {"d_model", c.d_model},
      {"n_heads", c.n_heads},
      {"n_layers", c.n_layers},
      {"expansion_ratio", c.d_ff / c.d_model},
      {"max_seq_len", c.max_positions},
      {"vocab_size", c.vocab_size},
      {"no_bias", true},
      {"learned_pos_emb", false},
      {"layer_norm_epsilon", c.norm_eps},
      {"norm_type", "low_precision_layernorm"},
      {"attn_config", attn},
      {"tie_word_embeddings", true},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
}

ModelConfig mpt_example(const SizePreset& p) {
  ModelConfig c = base_example_config(p, "mpt", 50432);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = false;
  c.activation = Activation::GELU;
  c.gated_mlp = false;
  c.positional = Positional::ALiBi;
  c.alibi_bias_max = 8.0;
  c.tied_embeddings = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = 0;
  return c;
}

void fill_mpt(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"d_model"});
  c.n_layers = f.integer({"n_layers"});
  c.n_heads = f.integer({"n_heads"});
  c.n_kv_heads = c.n_heads;
  c.d_head = default_head_width(c);
  c.d_ff = static_cast<int64_t>(f.number_or({"expansion_ratio"}, 4.0) * static_cast<double>(c.d_model));
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_seq_len"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_eps = f.number_or({"layer_norm_epsilon"}, 1e-5);
  c.activation = Activation::GELU;
  c.gated_mlp = false;
  const bool no_bias = f.boolean_or({"no_bias"}, false);
  c.norm_has_bias = !no_bias;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = !no_bias;
  c.tied_embeddings = true;  // MPT always reuses wte as the output layer
  static const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json* attn = f.find({"attn_config"});
  if (attn && !attn->is_object()) f.fail("config 'attn_config' is " + attn->dump() + ", expected an object");
  HfFields a(attn ? *attn : empty, f.where());
  if (a.boolean_or({"alibi"}, false)) {
    c.positional = Positional::ALiBi;
    c.alibi_bias_max = a.number_or({"alibi_bias_max"}, 8.0);
  } else {
    c.positional = f.boolean_or({"learned_pos_emb"}, true) ? Positional::Learned : Positional::None;
  }
  c.clip_qkv = a.number_opt({"clip_qkv"});
  c.attn_scale = a.number_opt({"softmax_scale"});
  c.add_bos = false;  // its tokenizer adds no BOS token
}

HfConfigReading mpt_hf_reading() {
  using nlohmann::json;
  return {{kModelType}, {kHfClass}, fill_mpt, {
      read_key("attn_config.alibi", "ALiBi, bias added after the softmax scale"),
      read_key("attn_config.alibi_bias_max", "ALiBi slopes"),
      read_key("attn_config.clip_qkv", "clamps the fused q/k/v projection"),
      read_key("attn_config.softmax_scale", "replaces 1/sqrt(d_head)"),
      read_key("learned_pos_emb", "learned positions when ALiBi is off"),
      read_key("no_bias", "no biases on projections and norms"),
      read_key("expansion_ratio", "MLP width"),
      read_key("layer_norm_epsilon", "LayerNorm epsilon"),
      only_key("attn_config.attn_type", json::array({"multihead_attention"}), "multiquery / grouped-query attention"),
      only_key("attn_config.qk_ln", json::array({false}), "LayerNorm on q and k"),
      only_key("attn_config.prefix_lm", json::array({false}), "bidirectional attention over a prefix"),
      only_key("attn_config.rope", json::array({false}), "RoPE"),
      only_key("attn_config.sliding_window_size", json::array({-1}), "sliding-window attention"),
      only_key("logit_scale", json::array(), "scales the logits"),
      only_key("norm_type", json::array({"low_precision_layernorm", "layernorm"}), "RMSNorm and other norms"),
      only_key("ffn_config.ffn_type", json::array({"mptmlp"}), "gated (GLU) or fused MLPs"),
  }};
}

// llama.cpp's "mpt". convert_hf_to_gguf.py writes max_alibi_bias 0 for an MPT without ALiBi
// (llama.cpp: no bias); such a file has learned positions if it holds position_embd, else none.
void fill_mpt_gguf(const GgufKeys& k, ModelConfig& c) {
  c.gated_mlp = false;
  c.activation = Activation::GELU;
  const double max_bias = k.number_or("attention.max_alibi_bias", 8.0);
  c.positional = max_bias > 0 ? Positional::ALiBi
                 : k.has_tensor("position_embd.weight") ? Positional::Learned : Positional::None;
  if (max_bias > 0) c.alibi_bias_max = max_bias;
  if (k.has("attention.clamp_kqv")) c.clip_qkv = k.number_or("attention.clamp_kqv", 0.0);
  c.norm_has_bias = k.has_tensor("blk.0.attn_norm.bias");
}

ArchSpec mpt_spec() {
  ArchSpec spec;
  spec.name = "mpt";
  spec.globals = {
      {"embed", "transformer.wte.weight", "token_embd.weight"},
      {"pos_embed", "transformer.wpe.weight", "position_embd.weight", When::LearnedPos},
      {"ln_final", "transformer.norm_f.weight", "output_norm.weight"},
      {"ln_final.bias", "transformer.norm_f.bias", "output_norm.bias", When::NormBias},
      {"lm_head", "", "output.weight", When::Untied},
  };
  const std::string hf = kLayer, gg = kGgufLayer;
  spec.per_layer = {
      {"blocks.{l}.ln1", hf + "norm_1.weight", gg + "attn_norm.weight"},
      {"blocks.{l}.ln1.bias", hf + "norm_1.bias", gg + "attn_norm.bias", When::NormBias},
      {"blocks.{l}.attn.qkv", kFusedQkv + ".weight", kGgufQkv + ".weight", When::Always, Binding::Hook},
      {"blocks.{l}.attn.qkv.bias", kFusedQkv + ".bias", kGgufQkv + ".bias", When::QkvBias, Binding::Hook},
      {"blocks.{l}.attn.o", hf + "attn.out_proj.weight", gg + "attn_output.weight"},
      {"blocks.{l}.attn.o.bias", hf + "attn.out_proj.bias", gg + "attn_output.bias", When::OutBias},
      {"blocks.{l}.ln2", hf + "norm_2.weight", gg + "ffn_norm.weight"},
      {"blocks.{l}.ln2.bias", hf + "norm_2.bias", gg + "ffn_norm.bias", When::NormBias},
      {"blocks.{l}.mlp.up", hf + "ffn.up_proj.weight", gg + "ffn_up.weight"},
      {"blocks.{l}.mlp.up.bias", hf + "ffn.up_proj.bias", gg + "ffn_up.bias", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "ffn.down_proj.weight", gg + "ffn_down.weight"},
      {"blocks.{l}.mlp.down.bias", hf + "ffn.down_proj.bias", gg + "ffn_down.bias", When::MlpBias},
  };
  spec.bind_extra = bind_mpt_qkv;
  spec.write_hf_config = mpt_hf_config;
  spec.examples = {{"mpt", mpt_example}};
  spec.hf_reading = mpt_hf_reading();
  spec.gguf_reading = gguf_reading({"mpt"}, fill_mpt_gguf);
  return spec;
}

}  // namespace

std::vector<ArchSpec> mpt_family_archs() { return {mpt_spec()}; }

}  // namespace osc
