// GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm with bias, gelu_new, tied head. Its
// Conv1D layers store weights [in, out]; each layer's matrices are transposed into owned buffers
// in their stored dtype (one layer at a time, never the model in f32) and the fused c_attn is
// split into q / k / v (blocked order). Exports of `outlierscope train` add their attention
// variant's tensors (model/variant_weights.h).
#include "model/arch.h"
#include "model/arch_fused.h"
#include "model/variant_weights.h"

namespace osc {
namespace {

// transformers' save_pretrained of GPT2LMHeadModel prefixes every name with "transformer."; the
// original openai-community/gpt2 file was saved from GPT2Model and has no prefix.
std::string name_prefix(const NamedTensors& source) {
  return source.contains("transformer.wte.weight") ? "transformer." : "";
}

TensorView owned_vector(const NamedTensors& source, const std::string& name, const std::string& where) {
  const TensorView& v = source.get(name, where);
  return slice_vector_f32(v, 0, v.numel());
}

TensorView transposed(const NamedTensors& source, const std::string& name, const std::string& where) {
  return transpose_stored(source.get(name, where), where);
}

void bind_globals(const NamedTensors& source, const std::string& prefix, const ModelConfig& c, WeightStore& w) {
  const std::string where = "gpt2";
  w.set("embed", source.get(prefix + "wte.weight", where));
  w.set("pos_embed", source.get(prefix + "wpe.weight", where));
  w.set("ln_final", owned_vector(source, prefix + "ln_f.weight", where));
  w.set("ln_final.bias", owned_vector(source, prefix + "ln_f.bias", where));
  if (!c.tied_embeddings) w.set("lm_head", source.get("lm_head.weight", where));
}

void bind_layer(const NamedTensors& source, const std::string& prefix, const ModelConfig& c, int64_t l, WeightStore& w) {
  const std::string where = "gpt2";
  const std::string src = prefix + "h." + std::to_string(l) + ".", p = "blocks." + std::to_string(l) + ".";
  w.set(p + "ln1", owned_vector(source, src + "ln_1.weight", where));
  w.set(p + "ln1.bias", owned_vector(source, src + "ln_1.bias", where));
  w.set(p + "ln2", owned_vector(source, src + "ln_2.weight", where));
  w.set(p + "ln2.bias", owned_vector(source, src + "ln_2.bias", where));
  const TensorView qkv = transposed(source, src + "attn.c_attn.weight", where);
  bind_fused_qkv(qkv, &source.get(src + "attn.c_attn.bias", where), QkvOrder::Blocked, c, l, w, where);
  w.set(p + "attn.o", transposed(source, src + "attn.c_proj.weight", where));
  w.set(p + "attn.o.bias", owned_vector(source, src + "attn.c_proj.bias", where));
  w.set(p + "mlp.up", transposed(source, src + "mlp.c_fc.weight", where));
  w.set(p + "mlp.up.bias", owned_vector(source, src + "mlp.c_fc.bias", where));
  w.set(p + "mlp.down", transposed(source, src + "mlp.c_proj.weight", where));
  w.set(p + "mlp.down.bias", owned_vector(source, src + "mlp.c_proj.bias", where));
  bind_variant_tensors(source, src + "attn.", c, p + "attn.", w);
}

// Everything is bound here rather than in the tables: the name prefix depends on the file.
void bind_gpt2(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  require_hf_source(c);
  const std::string prefix = name_prefix(source);
  bind_globals(source, prefix, c, w);
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) bind_layer(source, prefix, c, l, w);
}

ArchSpec gpt2_spec() {
  ArchSpec spec;
  spec.name = "gpt2";
  spec.bind_extra = bind_gpt2;
  return spec;
}

}  // namespace

std::vector<ArchSpec> gpt2_family_archs() { return {gpt2_spec()}; }

}  // namespace osc
