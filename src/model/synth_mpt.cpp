// MPT as transformers' MptForCausalLM saves it: ALiBi instead of positions, fused Wqkv
// [3 * d_model, d_model] (q, k, v one after the other), no biases anywhere (LayerNorm included),
// lm_head tied to wte.
#include "model/synth_families.h"

namespace osc::synth {

ModelConfig mpt_config(const SynthPreset& p) {
  ModelConfig c = base_config(p, "mpt", 50432);
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

std::vector<SynthTensor> mpt_tensors(const ModelConfig& c) {
  std::vector<SynthTensor> out;
  out.push_back({"transformer.wte.weight", {c.vocab_size, c.d_model}, SynthInit::Normal});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string layer = layer_prefix("transformer.blocks", l);
    add_norm(out, layer + ".norm_1", c.d_model, false);
    add_linear(out, layer + ".attn.Wqkv", 3 * c.d_model, c.d_model, false);
    add_linear(out, layer + ".attn.out_proj", c.d_model, c.d_model, false);
    add_norm(out, layer + ".norm_2", c.d_model, false);
    add_linear(out, layer + ".ffn.up_proj", c.d_ff, c.d_model, false);
    add_linear(out, layer + ".ffn.down_proj", c.d_model, c.d_ff, false);
  }
  add_norm(out, "transformer.norm_f", c.d_model, false);
  return out;
}

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
      {"architectures", {"MPTForCausalLM"}},
      {"model_type", "mpt"},
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

}  // namespace osc::synth
