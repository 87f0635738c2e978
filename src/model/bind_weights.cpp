#include "model/bind_weights.h"

#include <memory>
#include <vector>

#include "core/error.h"
#include "model/tensor_audit.h"

namespace osc {
namespace {

std::string replace_all(std::string s, const std::string& key, const std::string& value) {
  for (size_t pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + value.size()))
    s.replace(pos, key.size(), value);
  return s;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Resolves one source name (with "[e]" slices) to a view; null if absent.
std::optional<TensorView> lookup(const NamedTensors& source, const std::string& name) {
  const size_t bracket = name.rfind('[');
  if (bracket != std::string::npos && ends_with(name, "]")) {
    const TensorView* whole = source.find(name.substr(0, bracket));
    if (!whole) return std::nullopt;
    const int64_t index = std::stoll(name.substr(bracket + 1, name.size() - bracket - 2));
    if (whole->rank() < 2 || index >= whole->shape[0])
      throw_bad_input(name, "cannot take slice " + std::to_string(index) + " of shape " + shape_to_string(whole->shape));
    return slice_first_dim(*whole, index);
  }
  const TensorView* v = source.find(name);
  return v ? std::optional<TensorView>(*v) : std::nullopt;
}

void check_shape(const std::string& name, const TensorView& v, const ModelConfig& c, const std::string& where) {
  if (name == "pos_embed") {
    OSC_CHECK_INPUT(v.rank() == 2 && v.shape[1] == c.d_model && v.shape[0] >= c.max_positions + c.position_offset,
                    where, "weight " + name + " has shape " + shape_to_string(v.shape) + " but the config implies [" +
                               std::to_string(c.max_positions + c.position_offset) + ", " + std::to_string(c.d_model) + "]");
    return;
  }
  const Shape want = expected_weight_shape(name, c);
  OSC_CHECK_INPUT(want.empty() || want == v.shape, where,
                  "weight " + name + " has shape " + shape_to_string(v.shape) + " but the config implies " +
                      shape_to_string(want));
}

// Norm weights and biases are read as float arrays: give them f32 storage, aligned (safetensors
// does not align tensor data).
bool needs_f32_copy(const TensorView& v) {
  const bool aligned = reinterpret_cast<uintptr_t>(v.data) % alignof(float) == 0;
  return v.rank() == 1 && (v.dtype != DType::F32 || !aligned);
}

struct Expanded {
  std::string internal, source;
};

void expand_rule(const TensorRule& rule, bool gguf, const ModelConfig& c, int64_t layer, std::vector<Expanded>& out) {
  const std::string src = gguf ? rule.gguf : rule.hf;
  std::string internal = replace_all(rule.internal, "{l}", std::to_string(layer));
  std::string source = replace_all(src, "{l}", std::to_string(layer));
  if (internal.find("{e}") == std::string::npos) {
    out.push_back({internal, source});
    return;
  }
  for (int64_t e = 0; e < c.n_experts; ++e)
    out.push_back({replace_all(internal, "{e}", std::to_string(e)), replace_all(source, "{e}", std::to_string(e))});
}

void bind_rule_list(const std::vector<TensorRule>& rules, const NamedTensors& source, const ModelConfig& c,
                    int64_t layer, const std::string& where, WeightStore& weights) {
  const bool gguf = c.source_format == "gguf";
  for (const TensorRule& rule : rules) {
    if (!when_applies(rule.when, c) || rule.binding != Binding::Table) continue;
    std::vector<Expanded> names;
    expand_rule(rule, gguf, c, layer, names);
    for (const Expanded& n : names) {
      if (n.source.empty()) continue;  // supplied by bind_extra
      std::optional<TensorView> v = lookup(source, n.source);
      if (!v) throw_bad_input(where, "tensor '" + n.source + "' (" + n.internal + ") not found");
      check_shape(n.internal, *v, c, where);  // in table order, so the first mismatch is reported
      weights.set(n.internal, needs_f32_copy(*v) ? to_owned_f32(*v) : *v);
    }
  }
}

}  // namespace

TensorView slice_first_dim(const TensorView& v, int64_t index) {
  TensorView out = v;
  out.shape.erase(out.shape.begin());
  const uint64_t slice_bytes = v.nbytes / static_cast<uint64_t>(v.shape[0]);
  out.data = static_cast<const uint8_t*>(v.data) + slice_bytes * static_cast<uint64_t>(index);
  out.nbytes = slice_bytes;
  return out;
}

TensorView slice_rows(const TensorView& v, int64_t first, int64_t count) {
  TensorView out = v;
  out.shape[0] = count;
  out.data = v.row_ptr(first);
  out.nbytes = v.row_bytes() * static_cast<uint64_t>(count);
  return out;
}

TensorView to_owned_f32(const TensorView& v) {
  auto buffer = std::make_shared<std::vector<float>>(v.to_f32());
  TensorView out;
  out.dtype = DType::F32;
  out.shape = v.shape;
  out.data = buffer->data();
  out.nbytes = buffer->size() * sizeof(float);
  out.owner = buffer;
  return out;
}

Shape expected_weight_shape(const std::string& internal, const ModelConfig& c) {
  const int64_t d = c.d_model, q = c.n_heads * c.d_head, kv = c.n_kv_heads * c.d_head, ff = c.d_ff;
  auto is = [&](const char* tail) { return ends_with(internal, tail); };
  if (internal == "embed" || internal == "lm_head") return {c.vocab_size, d};
  if (internal == "lm_head.bias") return {c.vocab_size};
  if (is("ln1") || is("ln2") || is("ln_final") || is("ln1.bias") || is("ln2.bias") || is("ln_final.bias")) return {d};
  if (is("attn.q")) return {q, d};
  if (is("attn.k") || is("attn.v")) return {kv, d};
  if (is("attn.o")) return {d, q};
  if (is("attn.q.bias")) return {q};
  if (is("attn.k.bias") || is("attn.v.bias")) return {kv};
  if (is("attn.o.bias") || is("mlp.down.bias")) return {d};
  if (is("attn.q_norm") || is("attn.k_norm") || is("attn.q_norm.bias") || is("attn.k_norm.bias")) return {c.d_head};
  if (is(".gate") || is(".up")) return {ff, d};  // mlp.gate, mlp.experts.{e}.gate, ...
  if (is(".down")) return {d, ff};
  if (is("mlp.up.bias") || is("mlp.gate.bias")) return {ff};
  if (is("mlp.router")) return {c.n_experts, d};
  if (is("attn.extra_k") || is("attn.extra_v")) return {c.n_heads, c.d_head};  // attention variants
  if (is("attn.head_gate")) return {c.n_heads, d};
  if (is("attn.head_gate.bias")) return {c.n_heads};
  return {};
}

WeightStore bind_weights(const ArchSpec& spec, const NamedTensors& source, ModelConfig& config,
                         const std::string& where, LayerRange layers) {
  source.forget_uses();
  // Every layer holds at least one tensor: a config claiming more layers than the checkpoint has
  // tensors disagrees with it, and is refused before any per-layer loop runs that many times.
  OSC_CHECK_INPUT(config.n_layers <= static_cast<int64_t>(source.size()), where,
                  "the config says " + std::to_string(config.n_layers) + " layers but the checkpoint holds only " +
                      std::to_string(source.size()) + " tensors (does config.json match the weights?)");
  WeightStore weights;
  bind_rule_list(spec.globals, source, config, 0, where, weights);
  const int64_t end = layers.end_in(config.n_layers);
  if (layers.first < 0 || end > config.n_layers || layers.first >= end)
    throw_internal("bind_weights", "layers [" + std::to_string(layers.first) + ", " + std::to_string(end) + ") of a " +
                                       std::to_string(config.n_layers) + "-layer model");
  for (int64_t l = layers.first; l < end; ++l) bind_rule_list(spec.per_layer, source, config, l, where, weights);
  if (spec.bind_extra) spec.bind_extra(source, config, layers, weights);
  for (const std::string& name : weights.names()) check_shape(name, weights.get(name), config, where);
  audit_bound_tensors(source, where, config.n_layers, layers);
  return weights;
}

}  // namespace osc
