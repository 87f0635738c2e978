#include "model/arch/hf_config_reading.h"

namespace osc {
namespace {

using nlohmann::json;

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

ComputationKey read_key(const char* key, const char* effect) { return {key, effect, KeyHandling::Read, json::array()}; }

ComputationKey only_key(const char* key, json accepted, const char* effect) {
  return {key, effect, KeyHandling::OnlyAccepted, std::move(accepted)};
}

std::vector<ComputationKey> join_keys(std::vector<ComputationKey> a, const std::vector<ComputationKey>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void refuse_unhonoured_values(const HfFields& f, const std::vector<ComputationKey>& rows) {
  for (const ComputationKey& k : rows) {
    if (k.handling != KeyHandling::OnlyAccepted) continue;
    const json value = value_at(f.json(), k.key);
    if (value.is_null() || honoured(value, k.accepted)) continue;
    const std::string allowed = k.accepted.empty() ? std::string("absent or null") : k.accepted.dump();
    f.fail("config '" + k.key + "' = " + value.dump() + " is not supported (" + k.effect + "); supported: " + allowed);
  }
}

int64_t default_head_width(const ModelConfig& c) { return c.n_heads > 0 ? c.d_model / c.n_heads : 0; }

json llama_style_size_keys(const ModelConfig& c) {
  return {
      {"hidden_size", c.d_model},
      {"intermediate_size", c.d_ff},
      {"num_attention_heads", c.n_heads},
      {"num_key_value_heads", c.n_kv_heads},
      {"num_hidden_layers", c.n_layers},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.max_positions},
  };
}

const std::vector<ComputationKey>& rope_keys() {
  static const std::vector<ComputationKey> rows = {
      read_key("rope_theta", "RoPE base"),
      read_key("rope_scaling", "RoPE frequency scaling: default, linear and llama3 are implemented, other types "
                               "(dynamic, yarn, longrope, ...) are refused"),
  };
  return rows;
}

void fill_rope_scaling(const HfFields& f, ModelConfig& c) {
  const nlohmann::json* s = f.find({"rope_scaling"});
  if (!s) return;
  if (!s->is_object()) f.fail("config 'rope_scaling' is " + s->dump() + ", expected an object");
  HfFields scaling(*s, f.where());
  const std::string type = scaling.string_or({"rope_type", "type"}, "default");
  if (type == "default") return;
  if (type != "linear" && type != "llama3") f.fail("unsupported rope_scaling type '" + type + "' (supported: linear, llama3)");
  c.rope_scaling.type = type;
  c.rope_scaling.factor = scaling.number_or({"factor"}, 1.0);
  if (type == "llama3") {
    c.rope_scaling.low_freq_factor = scaling.number_or({"low_freq_factor"}, 1.0);
    c.rope_scaling.high_freq_factor = scaling.number_or({"high_freq_factor"}, 4.0);
    c.rope_scaling.original_max_position_embeddings = scaling.integer_or({"original_max_position_embeddings"}, 8192);
  }
}

}  // namespace osc
