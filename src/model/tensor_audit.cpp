#include "model/tensor_audit.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"

namespace osc {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool is_floating(DType t) {
  return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64 || dtype_is_quantized(t);
}

// "a, b, c and 4 more"
std::string list_some(const std::vector<std::string>& names) {
  constexpr size_t kShown = 4;
  std::string out;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) out += (i ? ", " : "") + std::string("'") + names[i] + "'";
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out;
}

}  // namespace

bool is_known_buffer(const std::string& name) {
  // Suffixes after a '.', so that "attn.c_attn.bias" (a weight) never matches ".attn.bias".
  static constexpr std::array<std::string_view, 5> kBuffers = {
      ".rotary_emb.inv_freq",    // RoPE inverse frequencies (LLaMA, NeoX, Falcon, Phi): recomputed from the config
      ".attn.bias",              // GPT-2's causal mask [1, 1, n_ctx, n_ctx]: the kernel masks itself
      ".attn.masked_bias",       // GPT-2's mask fill value (-1e4)
      ".attention.bias",         // GPT-NeoX's causal mask (older saves)
      ".attention.masked_bias",  // and its fill value
  };
  for (std::string_view b : kBuffers)
    if (ends_with(name, b)) return true;
  // GGUF Llama-3.1 files store the llama3 RoPE factors; the engine derives them from the metadata.
  return name == "rope_freqs.weight";
}

namespace {

// A byte-identical copy of a tensor the engine reads (a tied lm_head saved beside the embedding).
bool duplicates_a_used_tensor(const NamedTensors& source, const TensorView& v,
                              const std::unordered_set<std::string>& unused) {
  for (const auto& [name, other] : source)
    if (!unused.count(name) && other.dtype == v.dtype && other.shape == v.shape && other.nbytes == v.nbytes &&
        std::memcmp(other.data, v.data, v.nbytes) == 0)
      return true;
  return false;
}

}  // namespace

namespace {

// The first all-digit component of a dotted name ("model.layers.12.mlp..." -> 12, "blk.3.ffn_up"
// -> 3), or -1: every format names a layer's tensors with the layer index first.
int64_t layer_in_name(const std::string& name) {
  size_t begin = 0;
  while (begin < name.size()) {
    const size_t end = std::min(name.find('.', begin), name.size());
    const std::string_view part(name.data() + begin, end - begin);
    if (!part.empty() && part.size() < 10 && part.find_first_not_of("0123456789") == std::string_view::npos)
      return std::stoll(std::string(part));
    begin = end + 1;
  }
  return -1;
}

// A tensor of one of the model's layers that this process did not bind (a pipelined job's rank).
bool belongs_to_another_process(const std::string& name, int64_t n_layers, LayerRange layers) {
  const int64_t layer = layer_in_name(name);
  return layer >= 0 && layer < n_layers && !layers.contains(layer, n_layers);
}

}  // namespace

void audit_bound_tensors(const NamedTensors& source, const std::string& where, int64_t n_layers, LayerRange layers) {
  std::vector<std::string> never_read = source.unused_names();
  const std::unordered_set<std::string> skipped(never_read.begin(), never_read.end());
  std::erase_if(never_read, [&](const std::string& name) { return belongs_to_another_process(name, n_layers, layers); });
  std::vector<std::string> unused;
  for (const std::string& name : never_read)
    if (!is_known_buffer(name) && !duplicates_a_used_tensor(source, *source.find(name), skipped))
      unused.push_back(name);
  OSC_CHECK_INPUT(unused.empty(), where,
                  std::to_string(unused.size()) + " tensor(s) the config does not account for: " + list_some(unused) +
                      " (does config.json match the weights, e.g. the number of layers or the attention variant?)");
  for (const auto& [name, view] : source) {
    if (skipped.count(name)) continue;
    OSC_CHECK_INPUT(is_floating(view.dtype), where,
                    "tensor '" + name + "' has integer dtype " + std::string(dtype_name(view.dtype)) +
                        " where a floating-point weight is expected");
  }
}

}  // namespace osc
