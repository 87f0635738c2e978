// Phi-2 as transformers' PhiForCausalLM saves it: parallel attention and MLP behind one
// input_layernorm, separate q/k/v projections with biases, partial rotary, gelu_new, an untied
// lm_head with a bias.
#include "model/synth_families.h"

namespace osc::synth {
namespace {

// Phi-2 rotates 0.4 of each 80-wide head (32 dims). Other head widths keep the largest even
// count not above 0.4 * d_head, so that the fraction stays exact and RoPE pairs stay whole.
double phi2_rotary_fraction(int64_t d_head) {
  int64_t dims = (d_head * 2 / 5) / 2 * 2;
  return static_cast<double>(dims) / static_cast<double>(d_head);
}

}  // namespace

ModelConfig phi2_config(const SynthPreset& p) {
  ModelConfig c = base_config(p, "phi2", 51200);
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

std::vector<SynthTensor> phi2_tensors(const ModelConfig& c) {
  std::vector<SynthTensor> out;
  out.push_back({"model.embed_tokens.weight", {c.vocab_size, c.d_model}, SynthInit::Normal});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string layer = layer_prefix("model.layers", l);
    add_norm(out, layer + ".input_layernorm", c.d_model, true);
    add_linear(out, layer + ".self_attn.q_proj", c.d_model, c.d_model, true);
    add_linear(out, layer + ".self_attn.k_proj", c.d_model, c.d_model, true);
    add_linear(out, layer + ".self_attn.v_proj", c.d_model, c.d_model, true);
    add_linear(out, layer + ".self_attn.dense", c.d_model, c.d_model, true);
    add_linear(out, layer + ".mlp.fc1", c.d_ff, c.d_model, true);
    add_linear(out, layer + ".mlp.fc2", c.d_model, c.d_ff, true);
  }
  add_norm(out, "model.final_layernorm", c.d_model, true);
  add_linear(out, "lm_head", c.vocab_size, c.d_model, true);
  return out;
}

nlohmann::json phi2_hf_config(const ModelConfig& c) {
  return {
      {"architectures", {"PhiForCausalLM"}},
      {"model_type", "phi"},
      {"hidden_size", c.d_model},
      {"intermediate_size", c.d_ff},
      {"num_attention_heads", c.n_heads},
      {"num_key_value_heads", c.n_kv_heads},
      {"num_hidden_layers", c.n_layers},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.max_positions},
      {"partial_rotary_factor", c.rotary_fraction},
      {"rope_theta", c.rope_theta},
      {"layer_norm_eps", c.norm_eps},
      {"hidden_act", "gelu_new"},
      {"qk_layernorm", false},
      {"tie_word_embeddings", false},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
}

}  // namespace osc::synth
