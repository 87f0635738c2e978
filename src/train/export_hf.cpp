#include "train/export_hf.h"

#include <filesystem>

#include "core/atomic_write.h"
#include "formats/safetensors.h"

namespace osc::train {
namespace {

bool is_conv1d_weight(const std::string& name) {
  for (const char* suffix : {"attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"}) {
    const std::string s(suffix);
    if (name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

nlohmann::json token_or_null(int64_t id) { return id >= 0 ? nlohmann::json(id) : nlohmann::json(nullptr); }

nlohmann::json hf_config(const GptConfig& c, int64_t bos, int64_t eos) {
  nlohmann::json j = {{"model_type", "gpt2"},
                      {"architectures", {"GPT2LMHeadModel"}},
                      {"vocab_size", c.vocab_size},
                      {"n_positions", c.context},
                      {"n_ctx", c.context},
                      {"n_embd", c.dim},
                      {"n_layer", c.layers},
                      {"n_head", c.heads},
                      {"n_inner", nullptr},
                      {"activation_function", "gelu_new"},
                      {"layer_norm_epsilon", 1e-5},  // kLayerNormEps, written as the decimal GPT-2 uses
                      {"tie_word_embeddings", true},
                      {"resid_pdrop", 0.0},
                      {"embd_pdrop", 0.0},
                      {"attn_pdrop", 0.0},
                      {"bos_token_id", token_or_null(bos >= 0 ? bos : eos)},  // GPT-2: bos = eos = <|endoftext|>
                      {"eos_token_id", token_or_null(eos)},
                      {"torch_dtype", "float32"}};
  if (c.variant != "softmax") j["outlierscope_attention_variant"] = c.variant;
  if (!c.bias) j["outlierscope_trained_without_bias"] = true;
  return j;
}

}  // namespace

HfGpt2Export hf_gpt2_export(const GptModel& model, int64_t bos_token, int64_t eos_token) {
  const GptConfig& c = model.config();
  const ParamStore& p = model.params();
  HfGpt2Export out;
  std::vector<std::vector<float>>& owned = out.owned;
  owned.reserve(p.entries().size() * 2);
  std::vector<std::pair<std::string, TensorView>>& tensors = out.tensors;
  auto add = [&](const std::string& name, Shape shape, const float* data) {
    TensorView v;
    v.dtype = DType::F32, v.shape = std::move(shape), v.data = data;
    v.nbytes = static_cast<uint64_t>(v.numel()) * 4;
    tensors.emplace_back(name, v);
  };
  for (const auto& e : p.entries()) {
    const float* src = p.values.data() + e.offset;
    if (!is_conv1d_weight(e.spec.name)) {
      add(e.spec.name, e.spec.shape, src);
      continue;
    }
    const int64_t rows = e.spec.shape[0], cols = e.spec.shape[1];  // [out, in] -> [in, out]
    auto& t = owned.emplace_back(static_cast<size_t>(e.numel));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < cols; ++k) t[static_cast<size_t>(k * rows + r)] = src[r * cols + k];
    add(e.spec.name, {cols, rows}, t.data());
    const std::string bias_name = e.spec.name.substr(0, e.spec.name.size() - 6) + "bias";
    if (!c.bias) add(bias_name, {rows}, owned.emplace_back(static_cast<size_t>(rows), 0.0f).data());
  }
  if (!c.bias) {
    for (int64_t l = 0; l <= c.layers; ++l) {
      const float* zeros = owned.emplace_back(static_cast<size_t>(c.dim), 0.0f).data();
      if (l == c.layers) {
        add("ln_f.bias", {c.dim}, zeros);
      } else {
        add("h." + std::to_string(l) + ".ln_1.bias", {c.dim}, zeros);
        add("h." + std::to_string(l) + ".ln_2.bias", {c.dim}, zeros);
      }
    }
  }
  out.config = hf_config(c, bos_token, eos_token);
  return out;
}

void export_hf_gpt2(const GptModel& model, const std::string& dir, int64_t bos_token, int64_t eos_token) {
  std::filesystem::create_directories(dir);
  const HfGpt2Export e = hf_gpt2_export(model, bos_token, eos_token);
  write_safetensors(dir + "/model.safetensors", e.tensors, {{"format", "pt"}});
  write_text_atomically(dir + "/config.json", e.config.dump(2) + "\n");
}

}  // namespace osc::train
