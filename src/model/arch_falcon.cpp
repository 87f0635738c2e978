// Falcon (FalconForCausalLM). Falcon-7B: parallel attention and MLP behind one input_layernorm,
// multi-query attention. Falcon-40B/180B (new_decoder_architecture): ln_attn feeds attention,
// ln_mlp the MLP, grouped-query attention. Falcon-RW: sequential, input_layernorm +
// post_attention_layernorm. All three fuse q/k/v in grouped order (arch_fused.h), which
// bind_extra splits; the norms present in the file say which layout it is.
#include "core/error.h"
#include "model/arch.h"
#include "model/arch_fused.h"

namespace osc {
namespace {

std::string layer_name(int64_t l, const std::string& tail) { return "transformer.h." + std::to_string(l) + "." + tail; }

// Binds internal norm `internal` (+ ".bias") from source norm `source_stem` if the file has it.
bool bind_norm(const NamedTensors& source, const std::string& source_stem, const std::string& internal,
               WeightStore& w) {
  const TensorView* weight = source.find(source_stem + ".weight");
  if (!weight) return false;
  w.set(internal, slice_vector_f32(*weight, 0, weight->numel()));
  if (const TensorView* bias = source.find(source_stem + ".bias")) w.set(internal + ".bias", slice_vector_f32(*bias, 0, bias->numel()));
  return true;
}

void bind_falcon_layers(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  require_hf_source(c);
  const std::string where = "falcon";
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    const std::string p = "blocks." + std::to_string(l) + ".";
    if (bind_norm(source, layer_name(l, "ln_attn"), p + "ln1", w)) {
      bind_norm(source, layer_name(l, "ln_mlp"), p + "ln2", w);
    } else {
      OSC_CHECK_INPUT(bind_norm(source, layer_name(l, "input_layernorm"), p + "ln1", w), where,
                      "layer " + std::to_string(l) + " has neither ln_attn nor input_layernorm");
      bind_norm(source, layer_name(l, "post_attention_layernorm"), p + "ln2", w);
    }
    const TensorView& qkv = source.get(layer_name(l, "self_attention.query_key_value.weight"), where);
    bind_fused_qkv(qkv, source.find(layer_name(l, "self_attention.query_key_value.bias")), QkvOrder::Grouped, c, l, w,
                   where);
  }
}

ArchSpec falcon_spec() {
  ArchSpec spec;
  spec.name = "falcon";
  spec.globals = {
      {"embed", "transformer.word_embeddings.weight", ""},
      {"ln_final", "transformer.ln_f.weight", ""},
      {"ln_final.bias", "transformer.ln_f.bias", "", When::NormBias},
      {"lm_head", "lm_head.weight", "", When::Untied},
  };
  const std::string hf = "transformer.h.{l}.";
  spec.per_layer = {
      {"blocks.{l}.attn.o", hf + "self_attention.dense.weight", ""},
      {"blocks.{l}.attn.o.bias", hf + "self_attention.dense.bias", "", When::OutBias},
      {"blocks.{l}.mlp.up", hf + "mlp.dense_h_to_4h.weight", ""},
      {"blocks.{l}.mlp.up.bias", hf + "mlp.dense_h_to_4h.bias", "", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "mlp.dense_4h_to_h.weight", ""},
      {"blocks.{l}.mlp.down.bias", hf + "mlp.dense_4h_to_h.bias", "", When::MlpBias},
  };
  spec.bind_extra = bind_falcon_layers;
  return spec;
}

}  // namespace

std::vector<ArchSpec> falcon_family_archs() { return {falcon_spec()}; }

}  // namespace osc
