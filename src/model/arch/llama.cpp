// The LLaMA family: LLaMA 1/2/3 (3.1 rope scaling comes from the config), Mistral (sliding window,
// from the config), Mixtral (top-2 MoE) and Qwen2 (q/k/v biases). They share one tensor table;
// what differs is switched by ModelConfig fields the formats layer fills. config.json as
// transformers' LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM / MixtralForCausalLM
// save it.
#include "formats/rope_layout.h"
#include "model/arch/arch.h"

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

// Mixtral's sparse MLP. GGUF files from current llama.cpp stack the experts into one 3-D tensor.
std::vector<TensorRule> mixtral_moe() {
  const std::string hf = "model.layers.{l}.block_sparse_moe.", gg = "blk.{l}.";
  return {
      {"blocks.{l}.mlp.router", hf + "gate.weight", gg + "ffn_gate_inp.weight", When::MoE},
      {"blocks.{l}.mlp.experts.{e}.gate", hf + "experts.{e}.w1.weight", gg + "ffn_gate_exps.weight[{e}]", When::MoE},
      {"blocks.{l}.mlp.experts.{e}.down", hf + "experts.{e}.w2.weight", gg + "ffn_down_exps.weight[{e}]", When::MoE},
      {"blocks.{l}.mlp.experts.{e}.up", hf + "experts.{e}.w3.weight", gg + "ffn_up_exps.weight[{e}]", When::MoE},
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

std::string hf_class(const std::string& arch) {
  if (arch == "mistral") return "MistralForCausalLM";
  if (arch == "qwen2") return "Qwen2ForCausalLM";
  if (arch == "mixtral") return "MixtralForCausalLM";
  return "LlamaForCausalLM";
}

nlohmann::json llama_hf_config(const ModelConfig& c) {
  nlohmann::json j = {
      {"architectures", {hf_class(c.architecture)}},
      {"model_type", c.architecture},
      {"hidden_size", c.d_model},
      {"intermediate_size", c.d_ff},
      {"num_attention_heads", c.n_heads},
      {"num_key_value_heads", c.n_kv_heads},
      {"num_hidden_layers", c.n_layers},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.max_positions},
      {"rms_norm_eps", c.norm_eps},
      {"rope_theta", c.rope_theta},
      {"rope_scaling", nullptr},
      {"hidden_act", "silu"},
      {"tie_word_embeddings", c.tied_embeddings},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
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

ArchSpec llama_like(const std::string& name, ModelConfig (*example)(const SizePreset&), bool moe) {
  ArchSpec spec;
  spec.name = name;
  spec.globals = llama_globals();
  spec.per_layer = llama_layer();
  if (moe)
    for (TensorRule& r : mixtral_moe()) spec.per_layer.push_back(std::move(r));
  spec.bind_extra = unpermute_meta_qk;
  spec.write_hf_config = llama_hf_config;
  spec.examples = {{name, example}};
  return spec;
}

}  // namespace

std::vector<ArchSpec> llama_family_archs() {
  return {llama_like("llama", llama_example, false), llama_like("mistral", mistral_example, false),
          llama_like("mixtral", mixtral_example, true), llama_like("qwen2", qwen2_example, false)};
}

}  // namespace osc
