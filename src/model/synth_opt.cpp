// OPT as transformers' OPTForCausalLM saves it: pre-norm decoder, ReLU MLP, learned positions
// stored with an offset of 2 rows, lm_head tied to embed_tokens.
#include "model/synth_families.h"

namespace osc::synth {

ModelConfig opt_config(const SynthPreset& p) {
  ModelConfig c = base_config(p, "opt", 50272);
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

std::vector<SynthTensor> opt_tensors(const ModelConfig& c) {
  std::vector<SynthTensor> out;
  out.push_back({"model.decoder.embed_tokens.weight", {c.vocab_size, c.d_model}, SynthInit::Normal});
  out.push_back({"model.decoder.embed_positions.weight", {c.max_positions + c.position_offset, c.d_model},
                 SynthInit::Normal});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string layer = layer_prefix("model.decoder.layers", l);
    add_linear(out, layer + ".self_attn.k_proj", c.d_model, c.d_model, true);
    add_linear(out, layer + ".self_attn.v_proj", c.d_model, c.d_model, true);
    add_linear(out, layer + ".self_attn.q_proj", c.d_model, c.d_model, true);
    add_linear(out, layer + ".self_attn.out_proj", c.d_model, c.d_model, true);
    add_norm(out, layer + ".self_attn_layer_norm", c.d_model, true);
    add_linear(out, layer + ".fc1", c.d_ff, c.d_model, true);
    add_linear(out, layer + ".fc2", c.d_model, c.d_ff, true);
    add_norm(out, layer + ".final_layer_norm", c.d_model, true);
  }
  add_norm(out, "model.decoder.final_layer_norm", c.d_model, true);
  return out;
}

nlohmann::json opt_hf_config(const ModelConfig& c) {
  return {
      {"architectures", {"OPTForCausalLM"}},
      {"model_type", "opt"},
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

}  // namespace osc::synth
