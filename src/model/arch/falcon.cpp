// Falcon (FalconForCausalLM). Falcon-7B: parallel attention and MLP behind one input_layernorm,
// multi-query attention. Falcon-40B/180B (new_decoder_architecture): ln_attn feeds attention,
// ln_mlp the MLP, grouped-query attention. Falcon-RW: sequential, input_layernorm +
// post_attention_layernorm. All three fuse q/k/v in grouped order (fused.h), which bind_extra
// splits; the norms present in the file say which layout it is (the table's conditions say which
// norms a config implies, for writing). GGUF (llama.cpp's convert_hf_to_gguf.py) regroups the fused
// weight to blocked order (all q, then k, then v) and names ln_attn / input_layernorm attn_norm,
// ln_mlp attn_norm_2; llama.cpp has no sequential (Falcon-RW) layout.
#include "core/error.h"
#include "model/arch/arch.h"
#include "model/arch/fused.h"

namespace osc {
namespace {

const std::string kLayer = "transformer.h.{l}.";
const std::string kFusedQkv = kLayer + "self_attention.query_key_value";
const std::string kGgufLayer = "blk.{l}.";
const std::string kGgufQkv = kGgufLayer + "attn_qkv";

// Binds internal norm `internal` (+ ".bias") from source norm `source_stem` if the file has it.
bool bind_norm(const NamedTensors& source, const std::string& source_stem, const std::string& internal,
               WeightStore& w) {
  const TensorView* weight = source.find(source_stem + ".weight");
  if (!weight) return false;
  w.set(internal, slice_vector_f32(*weight, 0, weight->numel()));
  if (const TensorView* bias = source.find(source_stem + ".bias")) w.set(internal + ".bias", slice_vector_f32(*bias, 0, bias->numel()));
  return true;
}

// GGUF: attn_norm feeds attention (and the MLP unless attn_norm_2 does); q/k/v in blocked order.
void bind_falcon_gguf_layers(const NamedTensors& source, const ModelConfig& c, LayerRange layers, WeightStore& w) {
  const std::string where = "falcon";
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    const std::string p = "blocks." + std::to_string(l) + ".";
    OSC_CHECK_INPUT(bind_norm(source, expand_name(kGgufLayer + "attn_norm", l), p + "ln1", w), where,
                    "layer " + std::to_string(l) + " has no attn_norm");
    bind_norm(source, expand_name(kGgufLayer + "attn_norm_2", l), p + "ln2", w);
    const TensorView& qkv = source.get(expand_name(kGgufQkv + ".weight", l), where);
    bind_fused_qkv(qkv, source.find(expand_name(kGgufQkv + ".bias", l)), QkvOrder::Blocked, c, l, w, where);
  }
}

void bind_falcon_layers(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  if (c.source_format == "gguf") return bind_falcon_gguf_layers(source, c, layers, w);
  require_hf_source(c);
  const std::string where = "falcon";
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    const std::string p = "blocks." + std::to_string(l) + ".";
    if (bind_norm(source, expand_name(kLayer + "ln_attn", l), p + "ln1", w)) {
      bind_norm(source, expand_name(kLayer + "ln_mlp", l), p + "ln2", w);
    } else {
      OSC_CHECK_INPUT(bind_norm(source, expand_name(kLayer + "input_layernorm", l), p + "ln1", w), where,
                      "layer " + std::to_string(l) + " has neither ln_attn nor input_layernorm");
      bind_norm(source, expand_name(kLayer + "post_attention_layernorm", l), p + "ln2", w);
    }
    const TensorView& qkv = source.get(expand_name(kFusedQkv + ".weight", l), where);
    bind_fused_qkv(qkv, source.find(expand_name(kFusedQkv + ".bias", l)), QkvOrder::Grouped, c, l, w, where);
  }
}

bool is_new_decoder(const ModelConfig& c) { return !c.parallel_shared_norm; }

// config.json's names for the family: written by falcon_hf_config, selecting it when read.
const char* const kModelType = "falcon";
const char* const kHfClass = "FalconForCausalLM";

nlohmann::json falcon_hf_config(const ModelConfig& c) {
  nlohmann::json j = {
      {"architectures", {kHfClass}},
      {"model_type", kModelType},
      {"hidden_size", c.d_model},
      {"num_attention_heads", c.n_heads},
      {"num_hidden_layers", c.n_layers},
      {"vocab_size", c.vocab_size},
      {"max_position_embeddings", c.max_positions},
      {"layer_norm_epsilon", c.norm_eps},
      {"rope_theta", c.rope_theta},
      {"parallel_attn", true},
      {"bias", false},
      {"alibi", false},
      {"multi_query", true},
      {"new_decoder_architecture", is_new_decoder(c)},
      {"tie_word_embeddings", true},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
  // Falcon-7B's config has no num_kv_heads (multi_query implies one); Falcon-40B's names it.
  if (is_new_decoder(c)) j["num_kv_heads"] = c.n_kv_heads;
  return j;
}

ModelConfig falcon_common_example(const SizePreset& p) {
  ModelConfig c = base_example_config(p, "falcon", 65024);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::GELU;
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.parallel_block = true;
  c.tied_embeddings = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = 11;
  return c;
}

// Falcon-7B style: parallel block, one norm, multi-query.
ModelConfig falcon7b_example(const SizePreset& p) {
  ModelConfig c = falcon_common_example(p);
  c.n_kv_heads = 1;
  c.parallel_shared_norm = true;
  return c;
}

// Falcon-40B style (new decoder architecture): grouped fused qkv, ln_attn + ln_mlp.
ModelConfig falcon40b_example(const SizePreset& p) {
  ModelConfig c = falcon_common_example(p);
  c.n_kv_heads = p.gqa_kv_heads;
  c.parallel_shared_norm = false;
  return c;
}

void fill_falcon(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers", "n_layer"});
  c.n_heads = f.integer({"num_attention_heads", "n_head"});
  c.d_head = default_head_width(c);
  const std::string model_type = f.string_or({"model_type"}, kModelType);
  // The old "RefinedWeb" (40B) code always used the new decoder architecture.
  const bool new_arch = f.boolean_or({"new_decoder_architecture"}, model_type == "RefinedWeb");
  if (new_arch) c.n_kv_heads = f.integer({"num_kv_heads", "n_head_kv"});
  else c.n_kv_heads = f.boolean_or({"multi_query"}, true) ? 1 : c.n_heads;
  c.d_ff = f.integer_or({"ffn_hidden_size"}, 4 * c.d_model);
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.norm_eps = f.number_or({"layer_norm_epsilon"}, 1e-5);
  c.activation = f.activation({"activation"}, "gelu");
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  if (f.boolean_or({"alibi"}, false)) {  // Falcon-RW
    c.positional = Positional::ALiBi;
    c.alibi_style = AlibiStyle::FalconRW;
  }
  c.rope_theta = f.number_or({"rope_theta"}, 10000.0);
  fill_rope_scaling(f, c);
  c.parallel_block = new_arch || f.boolean_or({"parallel_attn"}, true);
  // 7B: one input_layernorm; 40B: ln_attn + ln_mlp (unless num_ln_in_parallel_attn says 1).
  c.parallel_shared_norm = c.parallel_block && (!new_arch || f.integer_or({"num_ln_in_parallel_attn"}, 2) == 1);
  const bool bias = f.boolean_or({"bias"}, false);
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = bias;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, true);
  c.add_bos = false;  // its tokenizer adds no BOS token
}

// model_type "falcon", or the old "RW" code's RefinedWebModel (7B) / RefinedWeb (40B).
HfConfigReading falcon_hf_reading() {
  const std::vector<ComputationKey> own = {
      read_key("alibi", "ALiBi instead of RoPE, bias added to q·k before the 1/sqrt(d_head) scale"),
      read_key("bias", "biases on every projection"),
      read_key("multi_query", "one kv head (old architecture)"),
      read_key("new_decoder_architecture", "grouped kv heads, ln_attn + ln_mlp, parallel block"),
      read_key("num_kv_heads", "kv heads of the new architecture"),
      read_key("parallel_attn", "attention and MLP read the same input"),
      read_key("num_ln_in_parallel_attn", "one or two norms in the new architecture's block"),
      read_key("activation", "MLP activation"),
      read_key("ffn_hidden_size", "MLP width (default 4 * hidden_size)"),
      read_key("layer_norm_epsilon", "LayerNorm epsilon"),
      read_key("tie_word_embeddings", "lm_head reuses the token embedding"),
      only_key("apply_residual_connection_post_layernorm", nlohmann::json::array({false}),
               "true adds the normalised input, not the input, back to the residual"),
  };
  return {{kModelType, "RefinedWebModel", "RefinedWeb"}, {kHfClass, "RWForCausalLM"}, fill_falcon,
          join_keys(own, rope_keys())};
}

// llama.cpp's "falcon": RoPE, GELU, parallel block; Falcon-40B has attn_norm_2, Falcon-7B one
// shared norm.
void fill_falcon_gguf(const GgufKeys& k, ModelConfig& c) {
  c.gated_mlp = false;
  c.activation = Activation::GELU;
  c.positional = Positional::RoPE;
  c.parallel_block = true;
  c.parallel_shared_norm = !k.has_tensor("blk.0.attn_norm_2.weight");
}

ArchSpec falcon_spec() {
  ArchSpec spec;
  spec.name = "falcon";
  spec.globals = {
      {"embed", "transformer.word_embeddings.weight", "token_embd.weight"},
      {"ln_final", "transformer.ln_f.weight", "output_norm.weight"},
      {"ln_final.bias", "transformer.ln_f.bias", "output_norm.bias", When::NormBias},
      {"lm_head", "lm_head.weight", "output.weight", When::Untied},
  };
  const std::string hf = kLayer, gg = kGgufLayer;
  const auto norm = [&](const char* internal, const std::string& stem, const std::string& gguf_stem, When when) {
    const std::string gguf = gguf_stem.empty() ? "" : gg + gguf_stem;
    return std::vector<TensorRule>{
        {std::string(internal), hf + stem + ".weight", gguf.empty() ? "" : gguf + ".weight", when, Binding::Hook},
        {std::string(internal) + ".bias", hf + stem + ".bias", gguf.empty() ? "" : gguf + ".bias", when, Binding::Hook}};
  };
  for (auto rows : {norm("blocks.{l}.ln1", "ln_attn", "attn_norm", When::ParallelNorms),
                    norm("blocks.{l}.ln2", "ln_mlp", "attn_norm_2", When::ParallelNorms),
                    norm("blocks.{l}.ln1", "input_layernorm", "attn_norm", When::NotParallelNorms),
                    norm("blocks.{l}.ln2", "post_attention_layernorm", "", When::Sequential)})
    spec.per_layer.insert(spec.per_layer.end(), rows.begin(), rows.end());
  const std::vector<TensorRule> linears = {
      {"blocks.{l}.attn.qkv", kFusedQkv + ".weight", kGgufQkv + ".weight", When::Always, Binding::Hook},
      {"blocks.{l}.attn.qkv.bias", kFusedQkv + ".bias", kGgufQkv + ".bias", When::QkvBias, Binding::Hook},
      {"blocks.{l}.attn.o", hf + "self_attention.dense.weight", gg + "attn_output.weight"},
      {"blocks.{l}.attn.o.bias", hf + "self_attention.dense.bias", gg + "attn_output.bias", When::OutBias},
      {"blocks.{l}.mlp.up", hf + "mlp.dense_h_to_4h.weight", gg + "ffn_up.weight"},
      {"blocks.{l}.mlp.up.bias", hf + "mlp.dense_h_to_4h.bias", gg + "ffn_up.bias", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "mlp.dense_4h_to_h.weight", gg + "ffn_down.weight"},
      {"blocks.{l}.mlp.down.bias", hf + "mlp.dense_4h_to_h.bias", gg + "ffn_down.bias", When::MlpBias},
  };
  spec.per_layer.insert(spec.per_layer.end(), linears.begin(), linears.end());
  spec.bind_extra = bind_falcon_layers;
  spec.write_hf_config = falcon_hf_config;
  spec.examples = {{"falcon", falcon7b_example}, {"falcon40b", falcon40b_example}};
  spec.hf_reading = falcon_hf_reading();
  spec.gguf_reading = gguf_reading({"falcon"}, fill_falcon_gguf);
  return spec;
}

}  // namespace

std::vector<ArchSpec> falcon_family_archs() { return {falcon_spec()}; }

}  // namespace osc
