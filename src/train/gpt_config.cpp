#include "train/gpt_config.h"

#include "core/error.h"
#include "kernels/attention_variant.h"

namespace osc::train {

nlohmann::json gpt_config_to_json(const GptConfig& c) {
  return {{"vocab_size", c.vocab_size}, {"context", c.context}, {"layers", c.layers},
          {"heads", c.heads},           {"dim", c.dim},         {"bias", c.bias},
          {"variant", c.variant}};
}

GptConfig gpt_config_from_json(const nlohmann::json& j, const std::string& where) {
  GptConfig c;
  try {
    c.vocab_size = j.at("vocab_size").get<int64_t>();
    c.context = j.at("context").get<int64_t>();
    c.layers = j.at("layers").get<int64_t>();
    c.heads = j.at("heads").get<int64_t>();
    c.dim = j.at("dim").get<int64_t>();
    c.bias = j.at("bias").get<bool>();
    c.variant = j.at("variant").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(where, std::string("bad model config: ") + e.what());
  }
  validate_gpt_config(c, where);
  return c;
}

void validate_gpt_config(const GptConfig& c, const std::string& where) {
  constexpr int64_t kMaxSize = int64_t{1} << 20;
  auto check_size = [&](int64_t v, const char* what) {
    OSC_CHECK_INPUT(v > 0 && v <= kMaxSize, where, std::string(what) + " must be in 1.." + std::to_string(kMaxSize) + ", got " + std::to_string(v));
  };
  check_size(c.vocab_size, "vocab size");
  check_size(c.context, "context");
  check_size(c.layers, "layers");
  check_size(c.heads, "heads");
  check_size(c.dim, "dim");
  OSC_CHECK_INPUT(c.layers <= 1024 && c.dim <= 65536 && c.context <= 65536, where, "model too large");
  OSC_CHECK_INPUT(c.dim % c.heads == 0, where,
                  "dim " + std::to_string(c.dim) + " is not divisible by heads " + std::to_string(c.heads));
  OSC_CHECK_INPUT(find_attention_variant(c.variant) != nullptr, where,
                  "unknown attention variant '" + c.variant + "' (known: " + attention_variant_names() + ")");
}

}  // namespace osc::train
