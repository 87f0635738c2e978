// The LLaMA family: LLaMA 1/2/3 (3.1 rope scaling comes from the config), Mistral (sliding window,
// from the config), Mixtral (top-2 MoE) and Qwen2 (q/k/v biases). They share one tensor table;
// what differs is switched by ModelConfig fields the config.json reader below fills. config.json
// read and written as transformers' LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM /
// MixtralForCausalLM save it.
#include <algorithm>

#include "formats/rope_layout.h"
#include "model/arch/arch.h"
#include "model/arch/mixtral_experts.h"

namespace osc {
namespace {

std::vector<TensorRule> llama_globals() {
  return {
      {"embed", "model.embed_tokens.weight", "token_embd.weight"},
      {"ln_final", "model.norm.weight", "output_norm.weight"},
      {"lm_head", "lm_head.weight", "output.weight", When::Untied},
  };
}

std::vector<TensorRule> llama_layer() {
  const std::string hf = "model.layers.{l}.", gg = "blk.{l}.";
  return {
      {"blocks.{l}.ln1", hf + "input_layernorm.weight", gg + "attn_norm.weight"},
      {"blocks.{l}.attn.q", hf + "self_attn.q_proj.weight", gg + "attn_q.weight"},
      {"blocks.{l}.attn.q.bias", hf + "self_attn.q_proj.bias", gg + "attn_q.bias", When::QkvBias},
      {"blocks.{l}.attn.k", hf + "self_attn.k_proj.weight", gg + "attn_k.weight"},
      {"blocks.{l}.attn.k.bias", hf + "self_attn.k_proj.bias", gg + "attn_k.bias", When::QkvBias},
      {"blocks.{l}.attn.v", hf + "self_attn.v_proj.weight", gg + "attn_v.weight"},
      {"blocks.{l}.attn.v.bias", hf + "self_attn.v_proj.bias", gg + "attn_v.bias", When::QkvBias},
      {"blocks.{l}.attn.o", hf + "self_attn.o_proj.weight", gg + "attn_output.weight"},
      {"blocks.{l}.ln2", hf + "post_attention_layernorm.weight", gg + "ffn_norm.weight"},
      {"blocks.{l}.mlp.gate", hf + "mlp.gate_proj.weight", gg + "ffn_gate.weight", When::Gated},
      {"blocks.{l}.mlp.up", hf + "mlp.up_proj.weight", gg + "ffn_up.weight", When::Gated},
      {"blocks.{l}.mlp.down", hf + "mlp.down_proj.weight", gg + "ffn_down.weight", When::Gated},
  };
}

// A bias [rows] moves like the rows of its weight: view it as [rows, 1].
TensorView unpermute_vector(const TensorView& bias, int64_t heads) {
  TensorView as_rows = bias;
  as_rows.shape = {bias.numel(), 1};
  TensorView out = unpermute_rope_rows(as_rows, heads);
  out.shape = bias.shape;
  return out;
}

// llama.cpp's GGUF and llama2.c keep Meta's interleaved q/k rows; move them to HF's rotate_half
// layout so that hook_q / hook_k channels mean the same thing whatever file the model came from.
void unpermute_meta_qk(const NamedTensors&, ModelConfig& c, LayerRange layers, WeightStore& w) {
  if (!c.rope_interleaved || c.source_format == "hf") return;
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    const std::string p = "blocks." + std::to_string(l) + ".attn.";
    w.set(p + "q", unpermute_rope_rows(w.get(p + "q"), c.n_heads));
    w.set(p + "k", unpermute_rope_rows(w.get(p + "k"), c.n_kv_heads));
    if (const TensorView* b = w.find(p + "q.bias")) w.set(p + "q.bias", unpermute_vector(*b, c.n_heads));
    if (const TensorView* b = w.find(p + "k.bias")) w.set(p + "k.bias", unpermute_vector(*b, c.n_kv_heads));
  }
  c.rope_interleaved = false;
}

// Mixtral: the experts are hook-bound (stacked or per-expert GGUF tensors, mixtral_experts.h).
void bind_mixtral(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  unpermute_meta_qk(source, c, layers, w);
  bind_mixtral_experts(source, c, layers, w);
}

std::string hf_class(const std::string& arch) {
  if (arch == "mistral") return "MistralForCausalLM";
  if (arch == "qwen2") return "Qwen2ForCausalLM";
  if (arch == "mixtral") return "MixtralForCausalLM";
  return "LlamaForCausalLM";
}

nlohmann::json llama_hf_config(const ModelConfig& c) {
  nlohmann::json j = llama_style_size_keys(c);
  j.update({
      {"architectures", {hf_class(c.architecture)}},
      {"model_type", c.architecture},
      {"rms_norm_eps", c.norm_eps},
      {"rope_theta", c.rope_theta},
      {"rope_scaling", nullptr},
      {"hidden_act", "silu"},
      {"tie_word_embeddings", c.tied_embeddings},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  });
  if (c.architecture == "llama") j["attention_bias"] = false;
  if (c.architecture == "mistral") j["sliding_window"] = *c.sliding_window;
  if (c.architecture == "qwen2") {
    j["use_sliding_window"] = false;
    j["sliding_window"] = c.max_positions;
  }
  if (c.architecture == "mixtral") {
    j["num_local_experts"] = c.n_experts;
    j["num_experts_per_tok"] = c.n_experts_per_token;
    j["sliding_window"] = nullptr;
  }
  return j;
}

ModelConfig llama_like_example(const SizePreset& p, std::string arch, int64_t kv_heads) {
  ModelConfig c = base_example_config(p, std::move(arch), 32000);
  c.n_kv_heads = kv_heads;
  c.d_ff = p.d_ff_gated;
  c.norm = NormType::RMSNorm;
  c.activation = Activation::SiLU;
  c.gated_mlp = true;
  c.positional = Positional::RoPE;
  c.bos_token_id = 1;
  c.eos_token_id = 2;
  return c;
}

ModelConfig llama_example(const SizePreset& p) { return llama_like_example(p, "llama", p.n_kv_heads); }

ModelConfig mistral_example(const SizePreset& p) {
  ModelConfig c = llama_like_example(p, "mistral", p.gqa_kv_heads);
  c.max_positions = 8 * p.max_positions;
  c.sliding_window = p.max_positions;  // Mistral-7B: 4096 of 32768
  return c;
}

ModelConfig qwen2_example(const SizePreset& p) {
  ModelConfig c = llama_like_example(p, "qwen2", p.gqa_kv_heads);
  c.vocab_size = p.full_vocab ? 151936 : p.small_vocab;
  c.attn_qkv_bias = true;
  c.rope_theta = 1000000.0;
  c.norm_eps = 1e-6;
  c.bos_token_id = 151643;
  c.eos_token_id = 151643;
  if (!p.full_vocab) c.bos_token_id = c.eos_token_id = p.small_vocab - 1;
  return c;
}

ModelConfig mixtral_example(const SizePreset& p) {
  ModelConfig c = llama_like_example(p, "mixtral", p.gqa_kv_heads);
  c.n_experts = p.full_vocab ? 8 : 4;
  c.n_experts_per_token = 2;
  c.rope_theta = 1000000.0;
  return c;
}

// The config.json keys the LLaMA family shares: llama, mistral, mixtral, qwen2.
void fill_llama_common(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = f.integer_or({"num_key_value_heads"}, c.n_heads);
  c.d_head = f.integer_or({"head_dim"}, default_head_width(c));
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

// The computation keys every LLaMA-family config class shares, then the member's own.
std::vector<ComputationKey> llama_keys(const std::vector<ComputationKey>& own) {
  const std::vector<ComputationKey> common = {
      read_key("head_dim", "per-head width (default hidden_size / num_attention_heads)"),
      read_key("num_key_value_heads", "grouped-query attention"),
      read_key("hidden_act", "MLP activation (silu, gelu, gelu_new, gelu_pytorch_tanh, relu; others refused)"),
      read_key("rms_norm_eps", "RMSNorm epsilon"),
      read_key("tie_word_embeddings", "lm_head reuses the token embedding"),
  };
  return join_keys(join_keys(common, rope_keys()), own);
}

ComputationKey sliding_window_key() {
  return read_key("sliding_window", "each query sees the last sliding_window keys");
}

// model_type = the member's name; class as the writer names it.
HfConfigReading llama_hf_reading(const std::string& name) {
  if (name == "mistral") return {{name}, {hf_class(name)}, fill_mistral, llama_keys({sliding_window_key()})};
  if (name == "mixtral")
    return {{name}, {hf_class(name)}, fill_mixtral, llama_keys({
        sliding_window_key(),
        read_key("num_local_experts", "experts per MoE layer"),
        read_key("num_experts_per_tok", "experts mixed per token (top-k, renormalised)"),
    })};
  if (name == "qwen2")
    return {{name}, {hf_class(name)}, fill_qwen2, llama_keys({
        read_key("use_sliding_window", "turns the sliding window on"),
        read_key("sliding_window", "window width when use_sliding_window (default 4096)"),
        read_key("max_window_layers", "layers below this index keep full attention (default 28)"),
        read_key("layer_types", "per-layer full_attention / sliding_attention (overrides max_window_layers)"),
    })};
  return {{name}, {hf_class(name)}, fill_llama, llama_keys({
      read_key("attention_bias", "biases on q/k/v/o projections"),
      read_key("mlp_bias", "biases on gate/up/down projections"),
  })};
}

// llama.cpp's "llama" (LLaMA, Mistral; with expert_count, Mixtral) and "qwen2": gated SiLU MLP,
// RoPE. convert_hf_to_gguf.py permutes LLaMA's q/k rows back to Meta's interleaved pairs.
void fill_llama_gguf(const GgufKeys& k, ModelConfig& c) {
  c.activation = Activation::SiLU;
  c.gated_mlp = true;
  c.positional = Positional::RoPE;
  c.rope_interleaved = k.arch == "llama";
  if (k.arch == "llama" && c.n_experts > 0) c.architecture = "mixtral";
}

// Mistral and Mixtral files are "llama" files: read by the llama spec.
GgufConfigReading llama_gguf_reading(const std::string& name) {
  if (name == "llama") return gguf_reading({name}, fill_llama_gguf, true);
  if (name == "qwen2") return gguf_reading({name}, fill_llama_gguf);
  return {};
}

ArchSpec llama_like(const std::string& name, ModelConfig (*example)(const SizePreset&), bool moe) {
  ArchSpec spec;
  spec.name = name;
  spec.globals = llama_globals();
  spec.per_layer = llama_layer();
  if (moe)
    for (TensorRule& r : mixtral_moe_rows()) spec.per_layer.push_back(std::move(r));
  spec.bind_extra = moe ? BindFunction(bind_mixtral) : BindFunction(unpermute_meta_qk);
  spec.write_hf_config = llama_hf_config;
  spec.examples = {{name, example}};
  spec.hf_reading = llama_hf_reading(name);
  spec.gguf_reading = llama_gguf_reading(name);
  return spec;
}

}  // namespace

std::vector<ArchSpec> llama_family_archs() {
  return {llama_like("llama", llama_example, false), llama_like("mistral", mistral_example, false),
          llama_like("mixtral", mixtral_example, true), llama_like("qwen2", qwen2_example, false)};
}

}  // namespace osc
