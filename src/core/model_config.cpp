// ModelConfig's JSON form and validation (core: the kernels, the formats and the model all read
// ModelConfig). The supported architectures are the registry's (model/arch/arch.h).
#include "core/model_config.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace osc {
namespace {

const char* norm_name(NormType n) { return n == NormType::RMSNorm ? "rmsnorm" : "layernorm"; }

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::SiLU: return "silu";
    case Activation::GELU: return "gelu";
    case Activation::GELUTanh: return "gelu_tanh";
    case Activation::ReLU: return "relu";
  }
  return "?";
}

const char* positional_name(Positional p) {
  switch (p) {
    case Positional::Learned: return "learned";
    case Positional::RoPE: return "rope";
    case Positional::ALiBi: return "alibi";
    case Positional::None: return "none";
  }
  return "?";
}

template <typename T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

void require_positive(int64_t value, const char* field, const std::string& where) {
  OSC_CHECK_INPUT(value > 0, where, std::string("model config: ") + field + " = " + std::to_string(value) + " must be positive");
}

}  // namespace

nlohmann::json model_config_to_json(const ModelConfig& c) {
  nlohmann::json j;
  j["architecture"] = c.architecture;
  j["source_format"] = c.source_format;
  j["name"] = c.name;
  j["n_layers"] = c.n_layers;
  j["d_model"] = c.d_model;
  j["n_heads"] = c.n_heads;
  j["n_kv_heads"] = c.n_kv_heads;
  j["d_head"] = c.d_head;
  j["d_ff"] = c.d_ff;
  j["vocab_size"] = c.vocab_size;
  j["max_positions"] = c.max_positions;
  j["norm"] = norm_name(c.norm);
  j["norm_eps"] = c.norm_eps;
  j["norm_has_bias"] = c.norm_has_bias;
  j["activation"] = activation_name(c.activation);
  j["gated_mlp"] = c.gated_mlp;
  j["positional"] = positional_name(c.positional);
  j["rope_theta"] = c.rope_theta;
  j["rotary_fraction"] = c.rotary_fraction;
  j["rope_interleaved"] = c.rope_interleaved;
  j["rope_scaling"] = {{"type", c.rope_scaling.type},
                       {"factor", c.rope_scaling.factor},
                       {"low_freq_factor", c.rope_scaling.low_freq_factor},
                       {"high_freq_factor", c.rope_scaling.high_freq_factor},
                       {"original_max_position_embeddings", c.rope_scaling.original_max_position_embeddings}};
  j["position_offset"] = c.position_offset;
  j["alibi_bias_max"] = optional_json(c.alibi_bias_max);
  j["alibi_style"] = c.alibi_style == AlibiStyle::Mpt ? "mpt" : "falcon_rw";
  j["parallel_block"] = c.parallel_block;
  j["parallel_shared_norm"] = c.parallel_shared_norm;
  j["attn_qkv_bias"] = c.attn_qkv_bias;
  j["attn_out_bias"] = c.attn_out_bias;
  j["mlp_bias"] = c.mlp_bias;
  j["lm_head_bias"] = c.lm_head_bias;
  j["tied_embeddings"] = c.tied_embeddings;
  j["attn_scale"] = optional_json(c.attn_scale);
  j["clip_qkv"] = optional_json(c.clip_qkv);
  j["sliding_window"] = optional_json(c.sliding_window);
  j["sliding_window_layers"] = c.sliding_window_layers;
  j["qk_norm"] = c.qk_norm;
  j["n_experts"] = c.n_experts;
  j["n_experts_per_token"] = c.n_experts_per_token;
  j["attention_variant"] = c.attention_variant;
  j["bos_token_id"] = c.bos_token_id;
  j["eos_token_id"] = c.eos_token_id;
  j["add_bos"] = c.add_bos;
  return j;
}

namespace {

// A factor of 0 divides the frequencies by zero: every activation after the first RoPE is NaN.
void validate_rope_scaling(const RopeScaling& r, const std::string& where) {
  if (r.type == "none") return;
  OSC_CHECK_INPUT(r.factor > 0 && std::isfinite(r.factor), where,
                  "model config: rope_scaling factor " + std::to_string(r.factor) + " must be positive");
  if (r.type != "llama3") return;
  OSC_CHECK_INPUT(r.low_freq_factor > 0 && r.high_freq_factor > r.low_freq_factor &&
                      r.original_max_position_embeddings > 0,
                  where, "model config: llama3 rope_scaling needs 0 < low_freq_factor < high_freq_factor and a positive "
                         "original_max_position_embeddings");
}

}  // namespace

void validate_model_config(const ModelConfig& c, const std::string& where) {
  require_positive(c.n_layers, "n_layers", where);
  require_positive(c.d_model, "d_model", where);
  require_positive(c.n_heads, "n_heads", where);
  require_positive(c.n_kv_heads, "n_kv_heads", where);
  require_positive(c.d_head, "d_head", where);
  require_positive(c.d_ff, "d_ff", where);
  require_positive(c.vocab_size, "vocab_size", where);
  OSC_CHECK_INPUT(c.n_heads % c.n_kv_heads == 0, where,
                  "model config: n_heads " + std::to_string(c.n_heads) + " is not a multiple of n_kv_heads " +
                      std::to_string(c.n_kv_heads));
  OSC_CHECK_INPUT(c.norm_eps > 0, where, "model config: norm_eps must be positive");
  if (c.positional == Positional::RoPE) {
    OSC_CHECK_INPUT(c.rotary_fraction > 0 && c.rotary_fraction <= 1, where,
                    "model config: rotary_fraction " + std::to_string(c.rotary_fraction) + " is outside (0, 1]");
    OSC_CHECK_INPUT(c.rotary_dims() > 0 && c.rotary_dims() % 2 == 0, where,
                    "model config: rotary dimensions " + std::to_string(c.rotary_dims()) + " must be even and positive");
    OSC_CHECK_INPUT(c.rope_theta > 0 && std::isfinite(c.rope_theta), where, "model config: rope_theta must be positive");
    validate_rope_scaling(c.rope_scaling, where);
  }
  OSC_CHECK_INPUT(c.n_experts >= 0 && c.n_experts_per_token >= 0 && c.n_experts_per_token <= c.n_experts, where,
                  "model config: " + std::to_string(c.n_experts_per_token) + " experts per token of " +
                      std::to_string(c.n_experts) + " experts");
  OSC_CHECK_INPUT(!c.sliding_window || *c.sliding_window > 0, where,
                  "model config: sliding_window " + std::to_string(c.sliding_window.value_or(0)) + " must be positive");
  OSC_CHECK_INPUT(c.sliding_window_layers.empty() || static_cast<int64_t>(c.sliding_window_layers.size()) == c.n_layers,
                  where, "model config: " + std::to_string(c.sliding_window_layers.size()) +
                             " per-layer window flags for " + std::to_string(c.n_layers) + " layers");
  OSC_CHECK_INPUT(c.position_offset >= 0, where, "model config: position_offset must not be negative");
}

}  // namespace osc
