// GGUF metadata -> the ModelConfig fields every llama.cpp architecture writes alike. Which tensors
// exist settles what the metadata does not say (tied output, biases). Mistral files carry no
// sliding window (convert_hf_to_gguf.py drops it); it is read when a file has
// <arch>.attention.sliding_window.
#include "core/error.h"
#include "formats/gguf_config_keys.h"

namespace osc {
namespace {

void fill_sizes(const GgufKeys& k, ModelConfig& c) {
  c.n_layers = k.integer("block_count");
  c.d_model = k.integer("embedding_length");
  c.n_heads = k.integer("attention.head_count");
  OSC_CHECK_INPUT(!k.has("attention.head_count_kv") || !k.g.get(k.key("attention.head_count_kv")).is_array(),
                  k.g.path(), "per-layer attention.head_count_kv arrays are not supported");
  c.n_kv_heads = k.integer_or("attention.head_count_kv", c.n_heads);
  c.d_head = k.integer_or("attention.key_length", c.n_heads > 0 ? c.d_model / c.n_heads : 0);
  c.d_ff = k.integer("feed_forward_length");
  c.max_positions = k.integer_or("context_length", 0);
  const auto* tokens = k.g.find("tokenizer.ggml.tokens");
  c.vocab_size = k.integer_or("vocab_size", tokens && tokens->is_array() ? static_cast<int64_t>(tokens->count) : 0);
}

void fill_norm_and_rope(const GgufKeys& k, ModelConfig& c) {
  if (k.has("attention.layer_norm_rms_epsilon")) {
    c.norm = NormType::RMSNorm;
    c.norm_eps = k.number_or("attention.layer_norm_rms_epsilon", 1e-5);
  } else {
    c.norm = NormType::LayerNorm;
    c.norm_has_bias = true;
    c.norm_eps = k.number_or("attention.layer_norm_epsilon", 1e-5);
  }
  c.rope_theta = k.number_or("rope.freq_base", 10000.0);
  if (c.d_head > 0 && k.has("rope.dimension_count"))
    c.rotary_fraction = static_cast<double>(k.integer("rope.dimension_count")) / static_cast<double>(c.d_head);
  const std::string scaling = k.g.get_string(k.key("rope.scaling.type"), "none");
  if (scaling == "linear") {
    c.rope_scaling.type = "linear";
    c.rope_scaling.factor = k.number_or("rope.scaling.factor", 1.0);
  } else if (scaling != "none") {
    throw_bad_input(k.g.path(), "unsupported rope scaling type '" + scaling + "' (supported: none, linear)");
  }
}

}  // namespace

void fill_gguf_common(const GgufKeys& k, ModelConfig& c) {
  fill_sizes(k, c);
  fill_norm_and_rope(k, c);
  c.n_experts = k.integer_or("expert_count", 0);
  c.n_experts_per_token = k.integer_or("expert_used_count", 0);
  if (k.has("attention.sliding_window")) c.sliding_window = k.integer("attention.sliding_window");
  c.tied_embeddings = !k.has_tensor("output.weight");
  c.lm_head_bias = k.has_tensor("output.bias");
  c.attn_qkv_bias = k.has_tensor("blk.0.attn_qkv.bias") || k.has_tensor("blk.0.attn_q.bias");
  c.attn_out_bias = k.has_tensor("blk.0.attn_output.bias");
  c.mlp_bias = k.has_tensor("blk.0.ffn_down.bias");
}

}  // namespace osc
