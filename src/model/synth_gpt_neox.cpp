// GPT-NeoX (Pythia) as transformers' GPTNeoXForCausalLM saves it: parallel residual with two
// norms, fused query_key_value [3 * d_model, d_model] interleaved per head (rows of head h are
// q_h, k_h, v_h), partial rotary 0.25, exact GELU, untied embed_out.
#include "model/synth_families.h"

namespace osc::synth {

ModelConfig gpt_neox_config(const SynthPreset& p) {
  ModelConfig c = base_config(p, "gpt_neox", 50432);
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

std::vector<SynthTensor> gpt_neox_tensors(const ModelConfig& c) {
  std::vector<SynthTensor> out;
  out.push_back({"gpt_neox.embed_in.weight", {c.vocab_size, c.d_model}, SynthInit::Normal});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string layer = layer_prefix("gpt_neox.layers", l);
    add_norm(out, layer + ".input_layernorm", c.d_model, true);
    add_norm(out, layer + ".post_attention_layernorm", c.d_model, true);
    add_linear(out, layer + ".attention.query_key_value", 3 * c.d_model, c.d_model, true);
    add_linear(out, layer + ".attention.dense", c.d_model, c.d_model, true);
    add_linear(out, layer + ".mlp.dense_h_to_4h", c.d_ff, c.d_model, true);
    add_linear(out, layer + ".mlp.dense_4h_to_h", c.d_model, c.d_ff, true);
  }
  add_norm(out, "gpt_neox.final_layer_norm", c.d_model, true);
  add_linear(out, "embed_out", c.vocab_size, c.d_model, false);
  return out;
}

nlohmann::json gpt_neox_hf_config(const ModelConfig& c) {
  return {
      {"architectures", {"GPTNeoXForCausalLM"}},
      {"model_type", "gpt_neox"},
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

}  // namespace osc::synth
