// Falcon as transformers' FalconForCausalLM saves it. Falcon-7B style: parallel attention and MLP
// behind one input_layernorm, multi-query attention with query_key_value [(n_heads + 2) * d_head,
// d_model]. Falcon-40B style (new_decoder_architecture): ln_attn and ln_mlp, and query_key_value
// grouped per key/value head: [n_kv_heads * (n_heads / n_kv_heads + 2) * d_head, d_model].
#include "model/synth_families.h"

namespace osc::synth {
namespace {

ModelConfig falcon_common(const SynthPreset& p) {
  ModelConfig c = base_config(p, "falcon", 65024);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::GELU;
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.parallel_block = true;
  c.tied_embeddings = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = 11;
  return c;
}

bool is_new_decoder(const ModelConfig& c) { return !c.parallel_shared_norm; }

}  // namespace

ModelConfig falcon7b_config(const SynthPreset& p) {
  ModelConfig c = falcon_common(p);
  c.n_kv_heads = 1;
  c.parallel_shared_norm = true;
  return c;
}

ModelConfig falcon40b_config(const SynthPreset& p) {
  ModelConfig c = falcon_common(p);
  c.n_kv_heads = p.gqa_kv_heads;
  c.parallel_shared_norm = false;
  return c;
}

std::vector<SynthTensor> falcon_tensors(const ModelConfig& c) {
  std::vector<SynthTensor> out;
  out.push_back({"transformer.word_embeddings.weight", {c.vocab_size, c.d_model}, SynthInit::Normal});
  const int64_t qkv_rows = (c.n_heads + 2 * c.n_kv_heads) * c.d_head;
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string layer = layer_prefix("transformer.h", l);
    if (is_new_decoder(c)) {
      add_norm(out, layer + ".ln_attn", c.d_model, true);
      add_norm(out, layer + ".ln_mlp", c.d_model, true);
    } else {
      add_norm(out, layer + ".input_layernorm", c.d_model, true);
    }
    add_linear(out, layer + ".self_attention.query_key_value", qkv_rows, c.d_model, false);
    add_linear(out, layer + ".self_attention.dense", c.d_model, c.d_model, false);
    add_linear(out, layer + ".mlp.dense_h_to_4h", c.d_ff, c.d_model, false);
    add_linear(out, layer + ".mlp.dense_4h_to_h", c.d_model, c.d_ff, false);
  }
  add_norm(out, "transformer.ln_f", c.d_model, true);
  return out;
}

nlohmann::json falcon_hf_config(const ModelConfig& c) {
  nlohmann::json j = {
      {"architectures", {"FalconForCausalLM"}},
      {"model_type", "falcon"},
      {"hidden_size", c.d_model},
      {"num_attention_heads", c.n_heads},
      {"num_hidden_layers", c.n_layers},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.max_positions},
      {"layer_norm_epsilon", c.norm_eps},
      {"rope_theta", c.rope_theta},
      {"parallel_attn", true},
      {"bias", false},
      {"alibi", false},
      {"multi_query", true},
      {"new_decoder_architecture", is_new_decoder(c)},
      {"tie_word_embeddings", true},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
  // Falcon-7B's config has no num_kv_heads (multi_query implies one); Falcon-40B's names it.
  if (is_new_decoder(c)) j["num_kv_heads"] = c.n_kv_heads;
  return j;
}

}  // namespace osc::synth
