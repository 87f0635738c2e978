#include "model/arch/mixtral_experts.h"

#include <string>

#include "core/error.h"
#include "model/bind_weights.h"

namespace osc {
namespace {

// One expert matrix in each naming: internal, HF (w1/w2/w3), GGUF stacked and per-expert stems.
struct ExpertMatrix {
  const char* internal;
  const char* hf;
  const char* gguf_stacked;
  const char* gguf_per_expert;
};

constexpr ExpertMatrix kMatrices[] = {
    {"gate", "w1", "ffn_gate_exps", "ffn_gate"},
    {"down", "w2", "ffn_down_exps", "ffn_down"},
    {"up", "w3", "ffn_up_exps", "ffn_up"},
};

const std::string kHfMoe = "model.layers.{l}.block_sparse_moe.", kGgufLayer = "blk.{l}.";

// Expert e of a stacked [experts, rows, cols] tensor.
TensorView expert_slice(const TensorView& stacked, const std::string& name, int64_t e) {
  if (stacked.rank() < 2 || e >= stacked.shape[0])
    throw_bad_input(name, "cannot take slice " + std::to_string(e) + " of shape " + shape_to_string(stacked.shape));
  return slice_first_dim(stacked, e);
}

TensorView expert_source(const NamedTensors& source, const ModelConfig& c, const ExpertMatrix& m, int64_t l,
                         int64_t e) {
  if (c.source_format != "gguf")
    return source.get(expand_name(kHfMoe + "experts.{e}." + m.hf + ".weight", l, e), "mixtral");
  const std::string stacked = expand_name(kGgufLayer + m.gguf_stacked + ".weight", l);
  if (const TensorView* all = source.find(stacked)) return expert_slice(*all, stacked, e);
  const std::string per_expert = expand_name(kGgufLayer + m.gguf_per_expert + ".{e}.weight", l, e);
  if (const TensorView* one = source.find(per_expert)) return *one;
  throw_bad_input("mixtral", "tensor '" + stacked + "' (or per expert '" + per_expert + "') not found");
}

}  // namespace

std::vector<TensorRule> mixtral_moe_rows() {
  std::vector<TensorRule> rows = {
      {"blocks.{l}.mlp.router", kHfMoe + "gate.weight", kGgufLayer + "ffn_gate_inp.weight", When::MoE}};
  for (const ExpertMatrix& m : kMatrices)
    rows.push_back({std::string("blocks.{l}.mlp.experts.{e}.") + m.internal, kHfMoe + "experts.{e}." + m.hf + ".weight",
                    kGgufLayer + m.gguf_stacked + ".weight[{e}]", When::MoE, Binding::Hook});
  return rows;
}

void bind_mixtral_experts(const NamedTensors& source, const ModelConfig& c, LayerRange layers, WeightStore& weights) {
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l)
    for (int64_t e = 0; e < c.n_experts; ++e)
      for (const ExpertMatrix& m : kMatrices)
        weights.set(expand_name(std::string("blocks.{l}.mlp.experts.{e}.") + m.internal, l, e),
                    expert_source(source, c, m, l, e));
}

}  // namespace osc
