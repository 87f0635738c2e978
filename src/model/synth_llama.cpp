// LLaMA-family checkpoints as transformers' LlamaForCausalLM / MistralForCausalLM /
// Qwen2ForCausalLM / MixtralForCausalLM save them.
#include "model/synth_families.h"

namespace osc::synth {
namespace {

ModelConfig llama_like(const SynthPreset& p, std::string arch, int64_t kv_heads) {
  ModelConfig c = base_config(p, std::move(arch), 32000);
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

void add_attention(std::vector<SynthTensor>& out, const ModelConfig& c, const std::string& layer) {
  const std::string a = layer + ".self_attn.";
  add_linear(out, a + "q_proj", c.n_heads * c.d_head, c.d_model, c.attn_qkv_bias);
  add_linear(out, a + "k_proj", c.n_kv_heads * c.d_head, c.d_model, c.attn_qkv_bias);
  add_linear(out, a + "v_proj", c.n_kv_heads * c.d_head, c.d_model, c.attn_qkv_bias);
  add_linear(out, a + "o_proj", c.d_model, c.n_heads * c.d_head, false);
}

void add_mlp(std::vector<SynthTensor>& out, const ModelConfig& c, const std::string& layer) {
  if (c.n_experts == 0) {
    add_linear(out, layer + ".mlp.gate_proj", c.d_ff, c.d_model, false);
    add_linear(out, layer + ".mlp.up_proj", c.d_ff, c.d_model, false);
    add_linear(out, layer + ".mlp.down_proj", c.d_model, c.d_ff, false);
    return;
  }
  const std::string moe = layer + ".block_sparse_moe.";
  add_linear(out, moe + "gate", c.n_experts, c.d_model, false);
  for (int64_t e = 0; e < c.n_experts; ++e) {
    const std::string expert = moe + "experts." + std::to_string(e) + ".";
    add_linear(out, expert + "w1", c.d_ff, c.d_model, false);  // gate
    add_linear(out, expert + "w2", c.d_model, c.d_ff, false);  // down
    add_linear(out, expert + "w3", c.d_ff, c.d_model, false);  // up
  }
}

std::string hf_class(const std::string& arch) {
  if (arch == "mistral") return "MistralForCausalLM";
  if (arch == "qwen2") return "Qwen2ForCausalLM";
  if (arch == "mixtral") return "MixtralForCausalLM";
  return "LlamaForCausalLM";
}

}  // namespace

ModelConfig llama_config(const SynthPreset& p) { return llama_like(p, "llama", p.n_kv_heads); }

ModelConfig mistral_config(const SynthPreset& p) {
  ModelConfig c = llama_like(p, "mistral", p.gqa_kv_heads);
  c.max_positions = 8 * p.max_positions;
  c.sliding_window = p.max_positions;  // Mistral-7B: 4096 of 32768
  return c;
}

ModelConfig qwen2_config(const SynthPreset& p) {
  ModelConfig c = llama_like(p, "qwen2", p.gqa_kv_heads);
  c.vocab_size = p.full_vocab ? 151936 : p.small_vocab;
  c.attn_qkv_bias = true;
  c.rope_theta = 1000000.0;
  c.norm_eps = 1e-6;
  c.bos_token_id = 151643;
  c.eos_token_id = 151643;
  if (!p.full_vocab) c.bos_token_id = c.eos_token_id = p.small_vocab - 1;
  return c;
}

ModelConfig mixtral_config(const SynthPreset& p) {
  ModelConfig c = llama_like(p, "mixtral", p.gqa_kv_heads);
  c.n_experts = p.full_vocab ? 8 : 4;
  c.n_experts_per_token = 2;
  c.rope_theta = 1000000.0;
  return c;
}

std::vector<SynthTensor> llama_tensors(const ModelConfig& c) {
  std::vector<SynthTensor> out;
  out.push_back({"model.embed_tokens.weight", {c.vocab_size, c.d_model}, SynthInit::Normal});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string layer = layer_prefix("model.layers", l);
    add_norm(out, layer + ".input_layernorm", c.d_model, false);
    add_attention(out, c, layer);
    add_norm(out, layer + ".post_attention_layernorm", c.d_model, false);
    add_mlp(out, c, layer);
  }
  add_norm(out, "model.norm", c.d_model, false);
  if (!c.tied_embeddings) add_linear(out, "lm_head", c.vocab_size, c.d_model, false);
  return out;
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

}  // namespace osc::synth
