// MPT (MptForCausalLM): ALiBi (slopes from alibi_bias_max), optional clip_qkv, LayerNorm usually
// without bias, no biases in the linears (no_bias), tied head. The fused Wqkv holds q, k, v one
// after the other (blocked order), split by bind_extra without a copy.
#include "model/arch.h"
#include "model/arch_fused.h"

namespace osc {
namespace {

void bind_mpt_qkv(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  require_hf_source(c);
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    const std::string p = "transformer.blocks." + std::to_string(l) + ".attn.Wqkv.";
    const TensorView* bias = c.attn_qkv_bias ? &source.get(p + "bias", "mpt") : nullptr;
    bind_fused_qkv(source.get(p + "weight", "mpt"), bias, QkvOrder::Blocked, c, l, w, "mpt");
  }
}

ArchSpec mpt_spec() {
  ArchSpec spec;
  spec.name = "mpt";
  spec.globals = {
      {"embed", "transformer.wte.weight", ""},
      {"pos_embed", "transformer.wpe.weight", "", When::LearnedPos},
      {"ln_final", "transformer.norm_f.weight", ""},
      {"ln_final.bias", "transformer.norm_f.bias", "", When::NormBias},
  };
  const std::string hf = "transformer.blocks.{l}.";
  spec.per_layer = {
      {"blocks.{l}.ln1", hf + "norm_1.weight", ""},
      {"blocks.{l}.ln1.bias", hf + "norm_1.bias", "", When::NormBias},
      {"blocks.{l}.ln2", hf + "norm_2.weight", ""},
      {"blocks.{l}.ln2.bias", hf + "norm_2.bias", "", When::NormBias},
      {"blocks.{l}.attn.o", hf + "attn.out_proj.weight", ""},
      {"blocks.{l}.attn.o.bias", hf + "attn.out_proj.bias", "", When::OutBias},
      {"blocks.{l}.mlp.up", hf + "ffn.up_proj.weight", ""},
      {"blocks.{l}.mlp.up.bias", hf + "ffn.up_proj.bias", "", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "ffn.down_proj.weight", ""},
      {"blocks.{l}.mlp.down.bias", hf + "ffn.down_proj.bias", "", When::MlpBias},
  };
  spec.bind_extra = bind_mpt_qkv;
  return spec;
}

}  // namespace

std::vector<ArchSpec> mpt_family_archs() { return {mpt_spec()}; }

}  // namespace osc
