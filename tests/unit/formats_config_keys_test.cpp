// Every row of the per-family tables of computation-changing config.json keys (each family's
// HfConfigReading in src/model/arch/<family>.cpp) has a sample here, and every sample is a row: a
// handled key must set the ModelConfig fields that carry its meaning (fields the base config does
// not already have), a refused value must fail with exit 2 naming the key. The forward-pass effect
// of the fields is checked against the PyTorch references (model_<family>_test.cpp); the docs must
// list every key.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/arch/hf_config.h"
#include "support/shared_data.h"

namespace osc {
namespace {

using nlohmann::json;

// A small valid config.json per family (architecture name -> keys).
const std::map<std::string, json>& base_configs() {
  static const std::map<std::string, json> m = [] {
    const json llama_dims = {{"hidden_size", 64}, {"intermediate_size", 128}, {"num_hidden_layers", 2},
                             {"num_attention_heads", 4}, {"vocab_size", 100}};
    std::map<std::string, json> out;
    for (const char* t : {"llama", "mistral", "mixtral", "qwen2"}) {
      out[t] = llama_dims;
      out[t]["model_type"] = t;
    }
    out["mixtral"].update({{"num_local_experts", 4}, {"num_experts_per_tok", 2}});
    out["gpt2"] = {{"model_type", "gpt2"}, {"n_embd", 64}, {"n_layer", 2}, {"n_head", 4}, {"vocab_size", 100}};
    out["opt"] = {{"model_type", "opt"}, {"hidden_size", 64}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
                  {"ffn_dim", 128}, {"vocab_size", 100}};
    out["falcon"] = {{"model_type", "falcon"}, {"hidden_size", 64}, {"num_hidden_layers", 2},
                     {"num_attention_heads", 4}, {"vocab_size", 100}};
    out["mpt"] = {{"model_type", "mpt"}, {"d_model", 64}, {"n_layers", 2}, {"n_heads", 4}, {"vocab_size", 100}};
    out["phi2"] = llama_dims;
    out["phi2"]["model_type"] = "phi";
    out["gpt_neox"] = {{"model_type", "gpt_neox"}, {"hidden_size", 64}, {"num_hidden_layers", 2},
                       {"num_attention_heads", 4}, {"vocab_size", 100}};
    return out;
  }();
  return m;
}

struct Sample {
  std::string arch, key;
  json patch;   // merged into the base config
  json expect;  // ModelConfig JSON fields it must produce; null: the value must be refused
};

// Keys every LLaMA-family config shares, with one handled and (where some values are refused) one
// refused sample each.
void add_llama_common(const std::string& arch, std::vector<Sample>& s) {
  s.push_back({arch, "head_dim", {{"head_dim", 32}}, {{"d_head", 32}}});
  s.push_back({arch, "num_key_value_heads", {{"num_key_value_heads", 2}}, {{"n_kv_heads", 2}}});
  s.push_back({arch, "hidden_act", {{"hidden_act", "gelu"}}, {{"activation", "gelu"}}});
  s.push_back({arch, "hidden_act", {{"hidden_act", "mish"}}, nullptr});
  s.push_back({arch, "rms_norm_eps", {{"rms_norm_eps", 1e-3}}, {{"norm_eps", 1e-3}}});
  s.push_back({arch, "tie_word_embeddings", {{"tie_word_embeddings", true}}, {{"tied_embeddings", true}}});
}

void add_rope(const std::string& arch, std::vector<Sample>& s) {
  s.push_back({arch, "rope_theta", {{"rope_theta", 5e5}}, {{"rope_theta", 5e5}}});
  s.push_back({arch, "rope_scaling", {{"rope_scaling", {{"rope_type", "linear"}, {"factor", 2.0}}}},
               {{"rope_scaling", {{"type", "linear"}, {"factor", 2.0}}}}});
  s.push_back({arch, "rope_scaling", {{"rope_scaling", {{"rope_type", "yarn"}, {"factor", 2.0}}}}, nullptr});
}

std::vector<Sample> samples() {
  std::vector<Sample> s;
  for (const char* arch : {"llama", "mistral", "mixtral", "qwen2"}) {
    add_llama_common(arch, s);
    add_rope(arch, s);
  }
  s.push_back({"llama", "attention_bias", {{"attention_bias", true}}, {{"attn_qkv_bias", true}, {"attn_out_bias", true}}});
  s.push_back({"llama", "mlp_bias", {{"mlp_bias", true}}, {{"mlp_bias", true}}});
  for (const char* arch : {"mistral", "mixtral"})
    s.push_back({arch, "sliding_window", {{"sliding_window", 16}}, {{"sliding_window", 16}}});
  s.push_back({"mixtral", "num_local_experts", {{"num_local_experts", 8}}, {{"n_experts", 8}}});
  s.push_back({"mixtral", "num_experts_per_tok", {{"num_experts_per_tok", 1}}, {{"n_experts_per_token", 1}}});
  s.push_back({"qwen2", "use_sliding_window", {{"use_sliding_window", true}, {"sliding_window", 16}, {"max_window_layers", 1}},
               {{"sliding_window", 16}, {"sliding_window_layers", {false, true}}}});
  s.push_back({"qwen2", "sliding_window", {{"use_sliding_window", true}, {"sliding_window", 8}, {"max_window_layers", 0}},
               {{"sliding_window", 8}, {"sliding_window_layers", {true, true}}}});
  s.push_back({"qwen2", "max_window_layers", {{"use_sliding_window", true}, {"max_window_layers", 1}},
               {{"sliding_window", 4096}, {"sliding_window_layers", {false, true}}}});
  s.push_back({"qwen2", "layer_types",
               {{"use_sliding_window", true}, {"sliding_window", 16}, {"layer_types", {"sliding_attention", "full_attention"}}},
               {{"sliding_window", 16}, {"sliding_window_layers", {true, false}}}});
  s.push_back({"qwen2", "layer_types", {{"use_sliding_window", true}, {"layer_types", {"sliding_attention"}}}, nullptr});
  s.push_back({"qwen2", "sliding_window", {{"use_sliding_window", true}, {"sliding_window", 0}}, nullptr});

  s.push_back({"gpt2", "activation_function", {{"activation_function", "gelu"}}, {{"activation", "gelu"}}});
  s.push_back({"gpt2", "layer_norm_epsilon", {{"layer_norm_epsilon", 1e-3}}, {{"norm_eps", 1e-3}}});
  s.push_back({"gpt2", "n_inner", {{"n_inner", 100}}, {{"d_ff", 100}}});
  s.push_back({"gpt2", "tie_word_embeddings", {{"tie_word_embeddings", false}}, {{"tied_embeddings", false}}});
  s.push_back({"gpt2", "scale_attn_weights", {{"scale_attn_weights", false}}, nullptr});
  s.push_back({"gpt2", "scale_attn_by_inverse_layer_idx", {{"scale_attn_by_inverse_layer_idx", true}}, nullptr});

  s.push_back({"opt", "activation_function", {{"activation_function", "gelu"}}, {{"activation", "gelu"}}});
  s.push_back({"opt", "enable_bias", {{"enable_bias", false}},
               {{"attn_qkv_bias", false}, {"attn_out_bias", false}, {"mlp_bias", false}}});
  s.push_back({"opt", "tie_word_embeddings", {{"tie_word_embeddings", false}}, {{"tied_embeddings", false}}});
  s.push_back({"opt", "word_embed_proj_dim", {{"word_embed_proj_dim", 32}}, nullptr});
  s.push_back({"opt", "do_layer_norm_before", {{"do_layer_norm_before", false}}, nullptr});
  s.push_back({"opt", "_remove_final_layer_norm", {{"_remove_final_layer_norm", true}}, nullptr});
  s.push_back({"opt", "layer_norm_elementwise_affine", {{"layer_norm_elementwise_affine", false}}, nullptr});

  s.push_back({"falcon", "alibi", {{"alibi", true}}, {{"positional", "alibi"}, {"alibi_style", "falcon_rw"}}});
  s.push_back({"falcon", "bias", {{"bias", true}}, {{"attn_qkv_bias", true}, {"attn_out_bias", true}, {"mlp_bias", true}}});
  s.push_back({"falcon", "multi_query", {{"multi_query", false}}, {{"n_kv_heads", 4}}});
  s.push_back({"falcon", "new_decoder_architecture", {{"new_decoder_architecture", true}, {"num_kv_heads", 2}},
               {{"n_kv_heads", 2}, {"parallel_shared_norm", false}}});
  s.push_back({"falcon", "num_kv_heads", {{"new_decoder_architecture", true}, {"num_kv_heads", 4}}, {{"n_kv_heads", 4}}});
  s.push_back({"falcon", "parallel_attn", {{"parallel_attn", false}}, {{"parallel_block", false}}});
  s.push_back({"falcon", "num_ln_in_parallel_attn",
               {{"new_decoder_architecture", true}, {"num_kv_heads", 2}, {"num_ln_in_parallel_attn", 1}},
               {{"n_kv_heads", 2}, {"parallel_shared_norm", true}}});
  s.push_back({"falcon", "activation", {{"activation", "relu"}}, {{"activation", "relu"}}});
  s.push_back({"falcon", "ffn_hidden_size", {{"ffn_hidden_size", 100}}, {{"d_ff", 100}}});
  s.push_back({"falcon", "layer_norm_epsilon", {{"layer_norm_epsilon", 1e-3}}, {{"norm_eps", 1e-3}}});
  s.push_back({"falcon", "tie_word_embeddings", {{"tie_word_embeddings", false}}, {{"tied_embeddings", false}}});
  s.push_back({"falcon", "apply_residual_connection_post_layernorm",
               {{"apply_residual_connection_post_layernorm", true}}, nullptr});
  add_rope("falcon", s);

  auto attn = [](json inner) { return json{{"attn_config", std::move(inner)}}; };
  s.push_back({"mpt", "attn_config.alibi", attn({{"alibi", true}}), {{"positional", "alibi"}, {"alibi_style", "mpt"}}});
  s.push_back({"mpt", "attn_config.alibi_bias_max", attn({{"alibi", true}, {"alibi_bias_max", 4}}), {{"alibi_bias_max", 4.0}}});
  s.push_back({"mpt", "attn_config.clip_qkv", attn({{"clip_qkv", 6}}), {{"clip_qkv", 6.0}}});
  s.push_back({"mpt", "attn_config.softmax_scale", attn({{"softmax_scale", 0.5}}), {{"attn_scale", 0.5}}});
  s.push_back({"mpt", "learned_pos_emb", {{"learned_pos_emb", false}}, {{"positional", "none"}}});
  s.push_back({"mpt", "no_bias", {{"no_bias", true}}, {{"attn_qkv_bias", false}, {"norm_has_bias", false}}});
  s.push_back({"mpt", "expansion_ratio", {{"expansion_ratio", 2}}, {{"d_ff", 128}}});
  s.push_back({"mpt", "layer_norm_epsilon", {{"layer_norm_epsilon", 1e-3}}, {{"norm_eps", 1e-3}}});
  s.push_back({"mpt", "attn_config.attn_type", attn({{"attn_type", "multiquery_attention"}}), nullptr});
  s.push_back({"mpt", "attn_config.qk_ln", attn({{"qk_ln", true}}), nullptr});
  s.push_back({"mpt", "attn_config.prefix_lm", attn({{"prefix_lm", true}}), nullptr});
  s.push_back({"mpt", "attn_config.rope", attn({{"rope", true}}), nullptr});
  s.push_back({"mpt", "attn_config.sliding_window_size", attn({{"sliding_window_size", 16}}), nullptr});
  s.push_back({"mpt", "logit_scale", {{"logit_scale", 0.5}}, nullptr});
  s.push_back({"mpt", "norm_type", {{"norm_type", "rmsnorm"}}, nullptr});
  s.push_back({"mpt", "ffn_config.ffn_type", {{"ffn_config", {{"ffn_type", "mptglu"}}}}, nullptr});

  s.push_back({"phi2", "partial_rotary_factor", {{"partial_rotary_factor", 0.25}}, {{"rotary_fraction", 0.25}}});
  s.push_back({"phi2", "qk_layernorm", {{"qk_layernorm", true}}, {{"qk_norm", true}}});
  s.push_back({"phi2", "num_key_value_heads", {{"num_key_value_heads", 2}}, {{"n_kv_heads", 2}}});
  s.push_back({"phi2", "hidden_act", {{"hidden_act", "gelu"}}, {{"activation", "gelu"}}});
  s.push_back({"phi2", "layer_norm_eps", {{"layer_norm_eps", 1e-3}}, {{"norm_eps", 1e-3}}});
  s.push_back({"phi2", "tie_word_embeddings", {{"tie_word_embeddings", true}}, {{"tied_embeddings", true}}});
  add_rope("phi2", s);

  s.push_back({"gpt_neox", "use_parallel_residual", {{"use_parallel_residual", false}}, {{"parallel_block", false}}});
  s.push_back({"gpt_neox", "rotary_pct", {{"rotary_pct", 0.5}}, {{"rotary_fraction", 0.5}}});
  s.push_back({"gpt_neox", "rotary_emb_base", {{"rotary_emb_base", 5e4}}, {{"rope_theta", 5e4}}});
  s.push_back({"gpt_neox", "attention_bias", {{"attention_bias", false}}, {{"attn_qkv_bias", false}, {"attn_out_bias", false}}});
  s.push_back({"gpt_neox", "hidden_act", {{"hidden_act", "relu"}}, {{"activation", "relu"}}});
  s.push_back({"gpt_neox", "layer_norm_eps", {{"layer_norm_eps", 1e-3}}, {{"norm_eps", 1e-3}}});
  s.push_back({"gpt_neox", "intermediate_size", {{"intermediate_size", 100}}, {{"d_ff", 100}}});
  s.push_back({"gpt_neox", "tie_word_embeddings", {{"tie_word_embeddings", true}}, {{"tied_embeddings", true}}});
  add_rope("gpt_neox", s);
  return s;
}

json parse_config(const json& config) { return model_config_to_json(config_from_hf(config, "config.json")); }

// Every field of `expect` (recursively for objects) has that value in `got`.
bool has_fields(const json& got, const json& expect) {
  if (!expect.is_object()) return got == expect;
  for (const auto& [k, v] : expect.items())
    if (!got.contains(k) || !has_fields(got.at(k), v)) return false;
  return true;
}

// {"a": {"b": value}} for key "a.b".
json nested(const std::string& key, const json& value) {
  const size_t dot = key.find('.');
  if (dot == std::string::npos) return {{key, value}};
  return {{key.substr(0, dot), nested(key.substr(dot + 1), value)}};
}

std::string sample_name(const Sample& s) { return s.arch + " " + s.patch.dump(); }

TEST(ComputationKeys, EveryTableRowHasASampleAndEverySampleARow) {
  std::set<std::pair<std::string, std::string>> sampled;
  for (const Sample& s : samples()) sampled.insert({s.arch, s.key});
  std::set<std::pair<std::string, std::string>> listed;
  for (const auto& [arch, base] : base_configs())
    for (const ComputationKey& k : computation_keys(arch)) {
      listed.insert({arch, k.key});
      EXPECT_TRUE(sampled.count({arch, k.key})) << arch << " key " << k.key << " has no test sample";
    }
  for (const auto& [arch, key] : sampled) EXPECT_TRUE(listed.count({arch, key})) << arch << " key " << key << " is not in the table";
}

TEST(ComputationKeys, HandledKeysSetTheirFieldsAndRefusedValuesNameTheKey) {
  for (const Sample& s : samples()) {
    SCOPED_TRACE(sample_name(s));
    const json& base = base_configs().at(s.arch);
    json config = base;
    config.merge_patch(s.patch);
    if (s.expect.is_null()) {
      try {
        parse_config(config);
        ADD_FAILURE() << "accepted";
      } catch (const Error& e) {
        EXPECT_EQ(e.exit_status(), 2);
        EXPECT_NE(std::string(e.what()).find(s.key.substr(s.key.rfind('.') + 1)), std::string::npos) << e.what();
      }
      continue;
    }
    const json got = parse_config(config);
    EXPECT_TRUE(has_fields(got, s.expect)) << "want " << s.expect.dump() << " in " << got.dump();
    EXPECT_FALSE(has_fields(parse_config(base), s.expect)) << "the base config already has " << s.expect.dump();
  }
}

TEST(ComputationKeys, HonouredValuesAreAccepted) {
  for (const auto& [arch, base] : base_configs())
    for (const ComputationKey& k : computation_keys(arch)) {
      if (k.handling != KeyHandling::OnlyAccepted) continue;
      for (const json& value : k.accepted) {
        json config = base;
        const json patch = nested(k.key, value);
        config.merge_patch(patch);
        EXPECT_NO_THROW(parse_config(config)) << arch << " " << patch.dump();
      }
    }
}

// Keys HF's model code does not read for that family must not change the engine's config either.
TEST(ComputationKeys, BiasFlagsOnlyWhereTheConfigClassHasThem) {
  for (const char* arch : {"mistral", "mixtral", "qwen2"}) {
    json config = base_configs().at(arch);
    const json before = parse_config(config);
    config.merge_patch({{"attention_bias", true}, {"mlp_bias", true}});
    EXPECT_EQ(parse_config(config), before) << arch;
  }
}

TEST(ComputationKeys, QwenWindowNeedsUseSlidingWindow) {
  json config = base_configs().at("qwen2");
  config.merge_patch({{"use_sliding_window", false}, {"sliding_window", 16}, {"max_window_layers", 0}});
  EXPECT_TRUE(parse_config(config)["sliding_window"].is_null());
  config["use_sliding_window"] = true;
  config["sliding_window"] = nullptr;
  EXPECT_TRUE(parse_config(config)["sliding_window"].is_null());  // HF: an explicit null means no window
}

// docs/architectures.md has a section "#### `<architecture>`" per family listing each of its keys.
TEST(ComputationKeys, DocsListEveryKey) {
  std::ifstream in(test::source_path("docs/architectures.md"));
  ASSERT_TRUE(in) << "docs/architectures.md";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  for (const auto& [arch, base] : base_configs()) {
    const size_t start = text.find("#### `" + arch + "`");
    ASSERT_NE(start, std::string::npos) << "no section for " << arch;
    const std::string section = text.substr(start, text.find("\n#", start + 1) - start);
    for (const ComputationKey& k : computation_keys(arch))
      EXPECT_NE(section.find("`" + k.key + "`"), std::string::npos) << arch << " key " << k.key << " not in its docs section";
  }
}

}  // namespace
}  // namespace osc
