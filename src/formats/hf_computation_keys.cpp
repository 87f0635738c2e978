#include "formats/hf_computation_keys.h"

#include <map>

namespace osc {
namespace {

using nlohmann::json;

ComputationKey read(const char* key, const char* effect) { return {key, effect, KeyHandling::Read, json::array()}; }
ComputationKey only(const char* key, json accepted, const char* effect) {
  return {key, effect, KeyHandling::OnlyAccepted, std::move(accepted)};
}

std::vector<ComputationKey> join(std::vector<ComputationKey> a, const std::vector<ComputationKey>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::vector<ComputationKey> kRope = {
    read("rope_theta", "RoPE base"),
    read("rope_scaling", "RoPE frequency scaling: default, linear and llama3 are implemented, other types "
                         "(dynamic, yarn, longrope, ...) are refused"),
};

// Keys every LLaMA-family config class shares (llama, mistral, mixtral, qwen2).
const std::vector<ComputationKey> kLlamaCommon = join(
    {
        read("head_dim", "per-head width (default hidden_size / num_attention_heads)"),
        read("num_key_value_heads", "grouped-query attention"),
        read("hidden_act", "MLP activation (silu, gelu, gelu_new, gelu_pytorch_tanh, relu; others refused)"),
        read("rms_norm_eps", "RMSNorm epsilon"),
        read("tie_word_embeddings", "lm_head reuses the token embedding"),
    },
    kRope);

const std::map<std::string, std::vector<ComputationKey>>& table() {
  static const std::map<std::string, std::vector<ComputationKey>> t = {
      {"llama", join(kLlamaCommon, {
                    read("attention_bias", "biases on q/k/v/o projections"),
                    read("mlp_bias", "biases on gate/up/down projections"),
                })},
      {"mistral", join(kLlamaCommon, {read("sliding_window", "each query sees the last sliding_window keys")})},
      {"mixtral", join(kLlamaCommon, {
                      read("sliding_window", "each query sees the last sliding_window keys"),
                      read("num_local_experts", "experts per MoE layer"),
                      read("num_experts_per_tok", "experts mixed per token (top-k, renormalised)"),
                  })},
      {"qwen2", join(kLlamaCommon, {
                    read("use_sliding_window", "turns the sliding window on"),
                    read("sliding_window", "window width when use_sliding_window (default 4096)"),
                    read("max_window_layers", "layers below this index keep full attention (default 28)"),
                    read("layer_types", "per-layer full_attention / sliding_attention (overrides max_window_layers)"),
                })},
      {"gpt2", {
                   read("activation_function", "MLP activation"),
                   read("layer_norm_epsilon", "LayerNorm epsilon"),
                   read("n_inner", "MLP width (default 4 * n_embd)"),
                   read("tie_word_embeddings", "lm_head reuses the token embedding"),
                   only("scale_attn_weights", json::array({true}), "false leaves q·k unscaled"),
                   only("scale_attn_by_inverse_layer_idx", json::array({false}),
                        "true divides the scores of layer l by l + 1"),
               }},
      {"opt", {
                  read("activation_function", "MLP activation"),
                  read("enable_bias", "biases on every projection"),
                  read("tie_word_embeddings", "lm_head reuses the token embedding"),
                  read("word_embed_proj_dim", "projected embeddings (opt-350m): refused unless equal to hidden_size"),
                  only("do_layer_norm_before", json::array({true}), "false: post-norm blocks (opt-350m)"),
                  only("_remove_final_layer_norm", json::array({false}), "true drops the final LayerNorm"),
                  only("layer_norm_elementwise_affine", json::array({true}),
                       "false: LayerNorms without weight and bias"),
              }},
      {"falcon", join({
                          read("alibi", "ALiBi instead of RoPE, bias added to q·k before the 1/sqrt(d_head) scale"),
                          read("bias", "biases on every projection"),
                          read("multi_query", "one kv head (old architecture)"),
                          read("new_decoder_architecture", "grouped kv heads, ln_attn + ln_mlp, parallel block"),
                          read("num_kv_heads", "kv heads of the new architecture"),
                          read("parallel_attn", "attention and MLP read the same input"),
                          read("num_ln_in_parallel_attn", "one or two norms in the new architecture's block"),
                          read("activation", "MLP activation"),
                          read("ffn_hidden_size", "MLP width (default 4 * hidden_size)"),
                          read("layer_norm_epsilon", "LayerNorm epsilon"),
                          read("tie_word_embeddings", "lm_head reuses the token embedding"),
                          only("apply_residual_connection_post_layernorm", json::array({false}),
                               "true adds the normalised input, not the input, back to the residual"),
                      },
                      kRope)},
      {"mpt", {
                  read("attn_config.alibi", "ALiBi, bias added after the softmax scale"),
                  read("attn_config.alibi_bias_max", "ALiBi slopes"),
                  read("attn_config.clip_qkv", "clamps the fused q/k/v projection"),
                  read("attn_config.softmax_scale", "replaces 1/sqrt(d_head)"),
                  read("learned_pos_emb", "learned positions when ALiBi is off"),
                  read("no_bias", "no biases on projections and norms"),
                  read("expansion_ratio", "MLP width"),
                  read("layer_norm_epsilon", "LayerNorm epsilon"),
                  only("attn_config.attn_type", json::array({"multihead_attention"}),
                       "multiquery / grouped-query attention"),
                  only("attn_config.qk_ln", json::array({false}), "LayerNorm on q and k"),
                  only("attn_config.prefix_lm", json::array({false}), "bidirectional attention over a prefix"),
                  only("attn_config.rope", json::array({false}), "RoPE"),
                  only("attn_config.sliding_window_size", json::array({-1}), "sliding-window attention"),
                  only("logit_scale", json::array(), "scales the logits"),
                  only("norm_type", json::array({"low_precision_layernorm", "layernorm"}), "RMSNorm and other norms"),
                  only("ffn_config.ffn_type", json::array({"mptmlp"}), "gated (GLU) or fused MLPs"),
              }},
      {"phi2", join({
                        read("partial_rotary_factor", "fraction of each head RoPE rotates"),
                        read("qk_layernorm", "LayerNorm over each head's q and k before RoPE"),
                        read("num_key_value_heads", "grouped-query attention"),
                        read("hidden_act", "MLP activation"),
                        read("layer_norm_eps", "LayerNorm epsilon"),
                        read("tie_word_embeddings", "lm_head reuses the token embedding"),
                    },
                    kRope)},
      {"gpt_neox", join({
                            read("use_parallel_residual", "attention and MLP read the same input (two norms)"),
                            read("rotary_pct", "fraction of each head RoPE rotates (also partial_rotary_factor)"),
                            read("rotary_emb_base", "RoPE base (also rope_theta)"),
                            read("attention_bias", "biases on the attention projections"),
                            read("hidden_act", "MLP activation"),
                            read("layer_norm_eps", "LayerNorm epsilon"),
                            read("intermediate_size", "MLP width (default 4 * hidden_size)"),
                            read("tie_word_embeddings", "embed_out reuses the token embedding"),
                        },
                        kRope)},
  };
  return t;
}

// The value at `key` ("a.b" looks inside object a), or null when absent.
json value_at(const json& config, const std::string& key) {
  const size_t dot = key.find('.');
  if (dot == std::string::npos) return config.is_object() && config.contains(key) ? config.at(key) : json();
  const json outer = value_at(config, key.substr(0, dot));
  return outer.is_object() ? value_at(outer, key.substr(dot + 1)) : json();
}

bool honoured(const json& value, const json& accepted) {
  for (const json& a : accepted)
    if (value == a) return true;
  return false;
}

}  // namespace

const std::vector<ComputationKey>& computation_keys(const std::string& architecture) {
  static const std::vector<ComputationKey> none;
  auto it = table().find(architecture);
  return it == table().end() ? none : it->second;
}

void refuse_unhonoured_values(const HfFields& f, const std::string& architecture) {
  for (const ComputationKey& k : computation_keys(architecture)) {
    if (k.handling != KeyHandling::OnlyAccepted) continue;
    const json value = value_at(f.json(), k.key);
    if (value.is_null() || honoured(value, k.accepted)) continue;
    const std::string allowed = k.accepted.empty() ? std::string("absent or null") : k.accepted.dump();
    f.fail("config '" + k.key + "' = " + value.dump() + " is not supported (" + k.effect + "); supported: " + allowed);
  }
}

}  // namespace osc
