#include "model/compute_precision.h"

#include <memory>
#include <vector>

#include "core/error.h"
#include "kernels/bf16_round.h"

namespace osc {
namespace {

bool bf16_family(const std::string& arch) {
  return arch == "llama" || arch == "mistral" || arch == "mixtral" || arch == "qwen2" || arch == "gpt2";
}

// A matrix as an owned BF16 tensor of the same shape.
TensorView bf16_matrix(const TensorView& v) {
  const std::vector<float> values = v.to_f32();
  auto buffer = std::make_shared<std::vector<uint16_t>>(values.size());
  for (size_t i = 0; i < values.size(); ++i) (*buffer)[i] = f32_to_bf16(values[i]);
  return TensorView{DType::BF16, v.shape, buffer->data(), buffer->size() * 2, buffer};
}

// A vector as an owned F32 tensor holding bf16 values (the pass reads vectors as f32 arrays).
TensorView bf16_valued_vector(const TensorView& v) {
  auto buffer = std::make_shared<std::vector<float>>(v.to_f32());
  round_to_bf16(buffer->data(), static_cast<int64_t>(buffer->size()));
  return TensorView{DType::F32, v.shape, buffer->data(), buffer->size() * 4, buffer};
}

}  // namespace

Compute parse_compute(const std::string& text, const std::string& option) {
  if (text == "f32") return Compute::F32;
  if (text == "bf16") return Compute::BF16;
  throw_bad_input(option, "must be f32 or bf16, got '" + text + "'");
}

const char* compute_name(Compute c) { return c == Compute::BF16 ? "bf16" : "f32"; }

void require_bf16_support(const ModelConfig& c, const std::string& path) {
  const bool plain = c.attention_variant == "softmax" && !c.clip_qkv && !c.qk_norm && !c.parallel_block &&
                     c.positional != Positional::ALiBi;
  OSC_CHECK_INPUT(bf16_family(c.architecture) && plain, path,
                  "--compute bf16 supports the llama, mistral, mixtral, qwen2 and gpt2 families, not this " +
                      c.architecture + " model; use --compute f32");
}

WeightStore bf16_weights(const WeightStore& w, const std::string& path) {
  WeightStore out;
  for (const std::string& name : w.names()) {
    const TensorView& v = w.get(name);
    if (v.dtype == DType::BF16) {
      out.set(name, v);
      continue;
    }
    OSC_CHECK_INPUT(v.dtype == DType::F32 || v.dtype == DType::F16, path,
                    "--compute bf16 needs F32, F16 or BF16 weights, but weight '" + name + "' is " +
                        std::string(dtype_name(v.dtype)));
    out.set(name, v.rank() >= 2 ? bf16_matrix(v) : bf16_valued_vector(v));
  }
  return out;
}

}  // namespace osc
