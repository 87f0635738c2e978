// GGUF metadata -> ModelConfig. llama.cpp's key names are "<arch>.<field>"; which tensors exist
// settles what the metadata does not say (tied output, biases, separate parallel norms). Mistral
// and Mixtral files are llama.cpp's "llama" (Mixtral: with expert_count); convert_hf_to_gguf.py
// drops Mistral's sliding window, which is read when a file has <arch>.attention.sliding_window.
#include <map>

#include "core/error.h"
#include "formats/config_parsers.h"

namespace osc {
namespace {

struct Keys {
  const GgufFile& g;
  std::string arch;
  std::string key(const std::string& field) const { return arch + "." + field; }
  int64_t integer(const std::string& field) const { return g.get_i64(key(field)); }
  int64_t integer_or(const std::string& field, int64_t fallback) const { return g.get_i64(key(field), fallback); }
  double number_or(const std::string& field, double fallback) const {
    return g.has(key(field)) ? g.get_f64(key(field)) : fallback;
  }
  bool has_tensor(const std::string& name) const { return g.tensors().contains(name); }
};

// llama.cpp's architecture names -> ours.
const std::map<std::string, std::string>& architectures() {
  static const std::map<std::string, std::string> m = {
      {"llama", "llama"}, {"qwen2", "qwen2"}, {"gpt2", "gpt2"},         {"falcon", "falcon"},
      {"mpt", "mpt"},     {"phi2", "phi2"},   {"gptneox", "gpt_neox"},
  };
  return m;
}

std::string supported_list() {
  std::string out;
  for (const auto& [name, ours] : architectures()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

void fill_common(const Keys& k, ModelConfig& c) {
  c.n_layers = k.integer("block_count");
  c.d_model = k.integer("embedding_length");
  c.n_heads = k.integer("attention.head_count");
  OSC_CHECK_INPUT(!k.g.has(k.key("attention.head_count_kv")) || !k.g.get(k.key("attention.head_count_kv")).is_array(),
                  k.g.path(), "per-layer attention.head_count_kv arrays are not supported");
  c.n_kv_heads = k.integer_or("attention.head_count_kv", c.n_heads);
  c.d_head = k.integer_or("attention.key_length", c.n_heads > 0 ? c.d_model / c.n_heads : 0);
  c.d_ff = k.integer("feed_forward_length");
  c.max_positions = k.integer_or("context_length", 0);
  const auto* tokens = k.g.find("tokenizer.ggml.tokens");
  c.vocab_size = k.integer_or("vocab_size", tokens && tokens->is_array() ? static_cast<int64_t>(tokens->count) : 0);
  if (k.g.has(k.key("attention.layer_norm_rms_epsilon"))) {
    c.norm = NormType::RMSNorm;
    c.norm_eps = k.number_or("attention.layer_norm_rms_epsilon", 1e-5);
  } else {
    c.norm = NormType::LayerNorm;
    c.norm_has_bias = true;
    c.norm_eps = k.number_or("attention.layer_norm_epsilon", 1e-5);
  }
  c.rope_theta = k.number_or("rope.freq_base", 10000.0);
  if (c.d_head > 0 && k.g.has(k.key("rope.dimension_count")))
    c.rotary_fraction = static_cast<double>(k.integer("rope.dimension_count")) / static_cast<double>(c.d_head);
  const std::string scaling = k.g.get_string(k.key("rope.scaling.type"), "none");
  if (scaling == "linear") {
    c.rope_scaling.type = "linear";
    c.rope_scaling.factor = k.number_or("rope.scaling.factor", 1.0);
  } else if (scaling != "none") {
    throw_bad_input(k.g.path(), "unsupported rope scaling type '" + scaling + "' (supported: none, linear)");
  }
  c.n_experts = k.integer_or("expert_count", 0);
  c.n_experts_per_token = k.integer_or("expert_used_count", 0);
  if (k.g.has(k.key("attention.sliding_window"))) c.sliding_window = k.integer("attention.sliding_window");
  c.tied_embeddings = !k.has_tensor("output.weight");
  c.lm_head_bias = k.has_tensor("output.bias");
  c.attn_qkv_bias = k.has_tensor("blk.0.attn_qkv.bias") || k.has_tensor("blk.0.attn_q.bias");
  c.attn_out_bias = k.has_tensor("blk.0.attn_output.bias");
  c.mlp_bias = k.has_tensor("blk.0.ffn_down.bias");
}

void fill_architecture(const Keys& k, ModelConfig& c) {
  const std::string& a = c.architecture;
  if (a == "llama" || a == "qwen2") {
    c.activation = Activation::SiLU;
    c.gated_mlp = true;
    c.positional = Positional::RoPE;
    // convert_hf_to_gguf.py permutes LLaMA q/k rows back to Meta's interleaved pairs.
    c.rope_interleaved = (a == "llama");
    if (a == "llama" && c.n_experts > 0) c.architecture = "mixtral";
    return;
  }
  c.gated_mlp = false;
  c.activation = (a == "gpt2" || a == "phi2") ? Activation::GELUTanh : Activation::GELU;
  if (a == "gpt2") {
    c.positional = Positional::Learned;
  } else if (a == "mpt") {
    // convert_hf_to_gguf.py writes max_alibi_bias 0 for an MPT without ALiBi (llama.cpp: no bias).
    const double max_bias = k.number_or("attention.max_alibi_bias", 8.0);
    c.positional = max_bias > 0 ? Positional::ALiBi
                   : k.has_tensor("position_embd.weight") ? Positional::Learned : Positional::None;
    if (max_bias > 0) c.alibi_bias_max = max_bias;
    if (k.g.has(k.key("attention.clamp_kqv"))) c.clip_qkv = k.number_or("attention.clamp_kqv", 0.0);
    c.norm_has_bias = k.has_tensor("blk.0.attn_norm.bias");
  } else {
    c.positional = Positional::RoPE;
    c.parallel_block = (a != "gpt_neox") || k.g.get_bool(k.key("use_parallel_residual"), true);
    // Falcon-40B has attn_norm_2; Falcon-7B and Phi-2 share one norm; NeoX always has two.
    c.parallel_shared_norm = (a == "phi2") || (a == "falcon" && !k.has_tensor("blk.0.attn_norm_2.weight"));
  }
}

}  // namespace

ModelConfig config_from_gguf(const GgufFile& gguf) {
  const std::string source_arch = gguf.get_string("general.architecture");
  auto it = architectures().find(source_arch);
  if (it == architectures().end()) {
    const std::string why = source_arch == "opt" ? "; llama.cpp has no OPT architecture: load the Hugging Face checkpoint" : "";
    throw_bad_input(gguf.path(),
                    "unsupported architecture '" + source_arch + "' (supported: " + supported_list() + why + ")");
  }
  Keys k{gguf, source_arch};
  ModelConfig c;
  c.architecture = it->second;
  c.source_format = "gguf";
  c.name = gguf.get_string("general.name", "");
  fill_common(k, c);
  fill_architecture(k, c);
  c.bos_token_id = gguf.get_i64("tokenizer.ggml.bos_token_id", -1);
  c.eos_token_id = gguf.get_i64("tokenizer.ggml.eos_token_id", -1);
  c.add_bos = gguf.get_bool("tokenizer.ggml.add_bos_token", c.architecture == "llama" || c.architecture == "mixtral");
  validate_model_config(c, gguf.path());
  return c;
}

}  // namespace osc
