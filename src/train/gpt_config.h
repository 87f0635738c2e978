// GptConfig: the shape of a GPT-2-style model trained by outlierscope (nanoGPT layout: pre-LayerNorm,
// GELU-tanh MLP of width 4*dim, learned positions, tied input/output embeddings) plus the attention
// variant. Saved in checkpoints and mapped to an HF GPT-2 config.json on export.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace osc::train {

struct GptConfig {
  int64_t vocab_size = 0;
  int64_t context = 0;  // max sequence length (learned positions)
  int64_t layers = 0, heads = 0, dim = 0;
  bool bias = true;     // biases in linears and LayerNorms
  std::string variant = "softmax";

  int64_t d_head() const { return dim / heads; }
  int64_t d_ff() const { return 4 * dim; }
};

nlohmann::json gpt_config_to_json(const GptConfig& c);
GptConfig gpt_config_from_json(const nlohmann::json& j, const std::string& where);
// BadInput naming `where` for non-positive sizes, dim not divisible by heads, unknown variant, or
// sizes whose buffers would overflow.
void validate_gpt_config(const GptConfig& c, const std::string& where);

}  // namespace osc::train
