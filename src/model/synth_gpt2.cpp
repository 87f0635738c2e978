// GPT-2 as transformers' GPT2LMHeadModel saves it: Conv1D weights stored [in, out] (the transpose
// of nn.Linear), fused c_attn [d_model, 3 * d_model], learned positions, lm_head tied to wte.
#include "model/synth_families.h"

namespace osc::synth {
namespace {

// A Conv1D layer: weight [in, out], bias [out].
void add_conv1d(std::vector<SynthTensor>& out, const std::string& prefix, int64_t in_features, int64_t out_features) {
  out.push_back({prefix + ".weight", {in_features, out_features}, SynthInit::Normal});
  out.push_back({prefix + ".bias", {out_features}, SynthInit::Zeros});
}

}  // namespace

ModelConfig gpt2_config(const SynthPreset& p) {
  ModelConfig c = base_config(p, "gpt2", 50257);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::GELUTanh;
  c.gated_mlp = false;
  c.positional = Positional::Learned;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.tied_embeddings = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = c.vocab_size - 1;
  return c;
}

std::vector<SynthTensor> gpt2_tensors(const ModelConfig& c) {
  std::vector<SynthTensor> out;
  out.push_back({"transformer.wte.weight", {c.vocab_size, c.d_model}, SynthInit::Normal});
  out.push_back({"transformer.wpe.weight", {c.max_positions, c.d_model}, SynthInit::Normal});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string layer = layer_prefix("transformer.h", l);
    add_norm(out, layer + ".ln_1", c.d_model, true);
    add_conv1d(out, layer + ".attn.c_attn", c.d_model, 3 * c.d_model);
    add_conv1d(out, layer + ".attn.c_proj", c.d_model, c.d_model);
    add_norm(out, layer + ".ln_2", c.d_model, true);
    add_conv1d(out, layer + ".mlp.c_fc", c.d_model, c.d_ff);
    add_conv1d(out, layer + ".mlp.c_proj", c.d_ff, c.d_model);
  }
  add_norm(out, "transformer.ln_f", c.d_model, true);
  return out;
}

nlohmann::json gpt2_hf_config(const ModelConfig& c) {
  return {
      {"architectures", {"GPT2LMHeadModel"}},
      {"model_type", "gpt2"},
      {"n_embd", c.d_model},
      {"n_head", c.n_heads},
      {"n_layer", c.n_layers},
      {"n_inner", c.d_ff},
      {"n_positions", c.max_positions},
      {"n_ctx", c.max_positions},
      {"vocab_size", c.vocab_size},
      {"layer_norm_epsilon", c.norm_eps},
      {"activation_function", "gelu_new"},
      {"scale_attn_weights", true},
      {"tie_word_embeddings", true},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
}

}  // namespace osc::synth
