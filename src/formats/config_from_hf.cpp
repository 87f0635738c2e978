// HF config.json -> ModelConfig, one small function per architecture family. Defaults are those
// of the transformers config classes, so a config.json that omits a key means what HF means.
#include <algorithm>
#include <map>

#include "core/error.h"
#include "formats/config_parsers.h"
#include "formats/hf_computation_keys.h"
#include "formats/hf_fields.h"

namespace osc {
namespace {

using Fill = void (*)(const HfFields&, ModelConfig&);

void fill_rope_scaling(const HfFields& f, ModelConfig& c) {
  const nlohmann::json* s = f.find({"rope_scaling"});
  if (!s) return;
  if (!s->is_object()) f.fail("config 'rope_scaling' is " + s->dump() + ", expected an object");
  HfFields scaling(*s, f.where());
  const std::string type = scaling.string_or({"rope_type", "type"}, "default");
  if (type == "default") return;
  if (type != "linear" && type != "llama3") f.fail("unsupported rope_scaling type '" + type + "' (supported: linear, llama3)");
  c.rope_scaling.type = type;
  c.rope_scaling.factor = scaling.number_or({"factor"}, 1.0);
  if (type == "llama3") {
    c.rope_scaling.low_freq_factor = scaling.number_or({"low_freq_factor"}, 1.0);
    c.rope_scaling.high_freq_factor = scaling.number_or({"high_freq_factor"}, 4.0);
    c.rope_scaling.original_max_position_embeddings = scaling.integer_or({"original_max_position_embeddings"}, 8192);
  }
}

// The keys the LLaMA family shares: llama, mistral, mixtral, qwen2.
void fill_llama_common(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = f.integer_or({"num_key_value_heads"}, c.n_heads);
  c.d_head = f.integer_or({"head_dim"}, c.n_heads > 0 ? c.d_model / c.n_heads : 0);
  c.d_ff = f.integer({"intermediate_size"});
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::RMSNorm;
  c.norm_eps = f.number_or({"rms_norm_eps"}, 1e-6);
  c.activation = f.activation({"hidden_act"}, "silu");
  c.gated_mlp = true;
  c.positional = Positional::RoPE;
  c.rope_theta = f.number_or({"rope_theta"}, 10000.0);
  fill_rope_scaling(f, c);
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, false);
}

// Only LlamaConfig has bias flags; Mistral, Mixtral and Qwen2 fix their biases in the model code.
void fill_llama(const HfFields& f, ModelConfig& c) {
  fill_llama_common(f, c);
  const bool attention_bias = f.boolean_or({"attention_bias"}, false);
  c.attn_qkv_bias = c.attn_out_bias = attention_bias;
  c.mlp_bias = f.boolean_or({"mlp_bias"}, false);
}

void fill_mistral(const HfFields& f, ModelConfig& c) {
  fill_llama_common(f, c);
  c.sliding_window = f.integer_opt({"sliding_window"});
}

void fill_mixtral(const HfFields& f, ModelConfig& c) {
  fill_mistral(f, c);
  c.n_experts = f.integer({"num_local_experts"});
  c.n_experts_per_token = f.integer({"num_experts_per_tok"});
}

// Qwen2Config: the window exists only with use_sliding_window (sliding_window defaults to 4096 when
// the key is absent, none when it is null), and only in the layers layer_types marks
// "sliding_attention"; without layer_types, those at index >= max_window_layers (default 28).
void fill_qwen2_window(const HfFields& f, ModelConfig& c) {
  if (!f.boolean_or({"use_sliding_window"}, false)) return;
  c.sliding_window = f.json().contains("sliding_window") ? f.integer_opt({"sliding_window"}) : 4096;
  if (!c.sliding_window) return;
  c.sliding_window_layers.assign(static_cast<size_t>(c.n_layers), false);
  const nlohmann::json* types = f.find({"layer_types"});
  if (!types) {
    const int64_t first_windowed = f.integer_or({"max_window_layers"}, 28);
    for (int64_t l = std::max<int64_t>(first_windowed, 0); l < c.n_layers; ++l) c.sliding_window_layers[l] = true;
    return;
  }
  if (!types->is_array() || static_cast<int64_t>(types->size()) != c.n_layers)
    f.fail("config 'layer_types' must list one entry per layer (" + std::to_string(c.n_layers) + ")");
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const nlohmann::json& t = (*types)[static_cast<size_t>(l)];
    if (t != "full_attention" && t != "sliding_attention")
      f.fail("config 'layer_types' entry " + std::to_string(l) + " is " + t.dump() +
             ", expected \"full_attention\" or \"sliding_attention\"");
    c.sliding_window_layers[l] = t == "sliding_attention";
  }
}

void fill_qwen2(const HfFields& f, ModelConfig& c) {
  fill_llama_common(f, c);
  c.attn_qkv_bias = true;  // Qwen2 always has q/k/v biases and no o_proj bias
  c.attn_out_bias = false;
  fill_qwen2_window(f, c);
}

void fill_gpt2(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"n_embd"});
  c.n_layers = f.integer({"n_layer"});
  c.n_heads = f.integer({"n_head"});
  c.n_kv_heads = c.n_heads;
  c.d_head = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
  c.d_ff = f.integer_or({"n_inner"}, 4 * c.d_model);
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"n_positions"}, 1024);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.norm_eps = f.number_or({"layer_norm_epsilon"}, 1e-5);
  c.activation = f.activation({"activation_function"}, "gelu_new");
  c.gated_mlp = false;
  c.positional = Positional::Learned;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, true);
  c.add_bos = false;  // its tokenizer adds no BOS token
  // Exports of `outlierscope train` (src/train/export_hf.cpp) name their attention variant.
  c.attention_variant = f.string_or({"outlierscope_attention_variant"}, "softmax");
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
  c.d_head = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
  c.d_ff = f.integer({"ffn_dim"});
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;  // layer_norm_elementwise_affine false is refused (hf_computation_keys.cpp)
  c.norm_eps = 1e-5;  // OPT's nn.LayerNorm default; config.json has no key for it
  c.activation = f.activation({"activation_function"}, "relu");
  c.gated_mlp = false;
  c.positional = Positional::Learned;
  c.position_offset = 2;  // OPTLearnedPositionalEmbedding adds 2 to every position
  const bool bias = f.boolean_or({"enable_bias"}, true);
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = bias;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, true);
}

void fill_falcon(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers", "n_layer"});
  c.n_heads = f.integer({"num_attention_heads", "n_head"});
  c.d_head = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
  const std::string model_type = f.string_or({"model_type"}, "falcon");
  // The old "RefinedWeb" (40B) code always used the new decoder architecture.
  const bool new_arch = f.boolean_or({"new_decoder_architecture"}, model_type == "RefinedWeb");
  if (new_arch) c.n_kv_heads = f.integer({"num_kv_heads", "n_head_kv"});
  else c.n_kv_heads = f.boolean_or({"multi_query"}, true) ? 1 : c.n_heads;
  c.d_ff = f.integer_or({"ffn_hidden_size"}, 4 * c.d_model);
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.norm_eps = f.number_or({"layer_norm_epsilon"}, 1e-5);
  c.activation = f.activation({"activation"}, "gelu");
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  if (f.boolean_or({"alibi"}, false)) {  // Falcon-RW
    c.positional = Positional::ALiBi;
    c.alibi_style = AlibiStyle::FalconRW;
  }
  c.rope_theta = f.number_or({"rope_theta"}, 10000.0);
  fill_rope_scaling(f, c);
  c.parallel_block = new_arch || f.boolean_or({"parallel_attn"}, true);
  // 7B: one input_layernorm; 40B: ln_attn + ln_mlp (unless num_ln_in_parallel_attn says 1).
  c.parallel_shared_norm = c.parallel_block && (!new_arch || f.integer_or({"num_ln_in_parallel_attn"}, 2) == 1);
  const bool bias = f.boolean_or({"bias"}, false);
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = bias;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, true);
  c.add_bos = false;  // its tokenizer adds no BOS token
}

void fill_mpt(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"d_model"});
  c.n_layers = f.integer({"n_layers"});
  c.n_heads = f.integer({"n_heads"});
  c.n_kv_heads = c.n_heads;
  c.d_head = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
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

void fill_phi(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = f.integer_or({"num_key_value_heads"}, c.n_heads);
  c.d_head = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
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

void fill_gpt_neox(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = c.n_heads;
  c.d_head = c.n_heads > 0 ? c.d_model / c.n_heads : 0;
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

struct Family {
  const char* architecture;
  Fill fill;
};

// model_type values (and the old Falcon "RW" names) -> family.
const std::map<std::string, Family>& families_by_model_type() {
  static const std::map<std::string, Family> m = {
      {"llama", {"llama", fill_llama}},         {"mistral", {"mistral", fill_mistral}},
      {"mixtral", {"mixtral", fill_mixtral}},   {"qwen2", {"qwen2", fill_qwen2}},
      {"gpt2", {"gpt2", fill_gpt2}},            {"opt", {"opt", fill_opt}},
      {"falcon", {"falcon", fill_falcon}},      {"RefinedWebModel", {"falcon", fill_falcon}},
      {"RefinedWeb", {"falcon", fill_falcon}},  {"mpt", {"mpt", fill_mpt}},
      {"phi", {"phi2", fill_phi}},              {"gpt_neox", {"gpt_neox", fill_gpt_neox}},
  };
  return m;
}

const std::map<std::string, std::string>& model_type_by_class() {
  static const std::map<std::string, std::string> m = {
      {"LlamaForCausalLM", "llama"},   {"MistralForCausalLM", "mistral"}, {"MixtralForCausalLM", "mixtral"},
      {"Qwen2ForCausalLM", "qwen2"},   {"GPT2LMHeadModel", "gpt2"},       {"OPTForCausalLM", "opt"},
      {"FalconForCausalLM", "falcon"}, {"RWForCausalLM", "falcon"},       {"MPTForCausalLM", "mpt"},
      {"PhiForCausalLM", "phi"},       {"GPTNeoXForCausalLM", "gpt_neox"},
  };
  return m;
}

std::string supported_list() {
  std::string out;
  for (const auto& [type, family] : families_by_model_type()) out += (out.empty() ? "" : ", ") + type;
  return out;
}

std::string detect_model_type(const HfFields& f) {
  const std::string model_type = f.string_or({"model_type"}, "");
  if (families_by_model_type().count(model_type)) return model_type;
  std::string cls;
  if (const nlohmann::json* a = f.find({"architectures"}); a && a->is_array() && !a->empty() && a->front().is_string()) {
    cls = a->front().get<std::string>();
    if (auto it = model_type_by_class().find(cls); it != model_type_by_class().end()) return it->second;
  }
  const std::string named = !model_type.empty() ? "model_type '" + model_type + "'"
                            : !cls.empty()      ? "architecture '" + cls + "'"
                                                : std::string("no model_type or architectures");
  f.fail("unsupported model: " + named + " (supported model_type values: " + supported_list() + ")");
}

}  // namespace

ModelConfig config_from_hf(const nlohmann::json& config, const std::string& where) {
  if (!config.is_object()) throw_bad_input(where, "config is not a JSON object");
  HfFields f(config, where);
  const Family& family = families_by_model_type().at(detect_model_type(f));
  ModelConfig c;
  c.architecture = family.architecture;
  c.source_format = "hf";
  c.name = f.string_or({"_name_or_path"}, "");
  refuse_unhonoured_values(f, c.architecture);
  family.fill(f, c);
  c.bos_token_id = f.token_id("bos_token_id");
  c.eos_token_id = f.token_id("eos_token_id");
  validate_model_config(c, where);
  return c;
}

}  // namespace osc
