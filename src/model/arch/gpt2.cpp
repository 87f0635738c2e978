// GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm with bias, gelu_new, tied head. Its
// Conv1D layers store weights [in, out]; each layer's matrices are transposed into owned buffers
// in their stored dtype (one layer at a time, never the model in f32) and the fused c_attn is
// split into q / k / v (blocked order). Exports of `outlierscope train` add their attention
// variant's tensors (model/variant_weights.h). GGUF files (llama.cpp's convert_hf_to_gguf.py) hold
// the same tensors already transposed to [out, in], c_attn still fused in blocked order. Every row
// is bound here rather than by the generic binder: the name prefix depends on the file.
#include "model/arch/arch.h"
#include "model/arch/fused.h"
#include "model/variant_weights.h"

namespace osc {
namespace {

// transformers' save_pretrained of GPT2LMHeadModel prefixes every name with "transformer."; the
// original openai-community/gpt2 file was saved from GPT2Model and has no prefix.
const std::string kPrefix = "transformer.";

std::vector<TensorRule> gpt2_globals() {
  return {
      {"embed", kPrefix + "wte.weight", "token_embd.weight", When::Always, Binding::Hook},
      {"pos_embed", kPrefix + "wpe.weight", "position_embd.weight", When::Always, Binding::Hook},
      {"ln_final", kPrefix + "ln_f.weight", "output_norm.weight", When::Always, Binding::Hook},
      {"ln_final.bias", kPrefix + "ln_f.bias", "output_norm.bias", When::Always, Binding::Hook},
      {"lm_head", "lm_head.weight", "output.weight", When::Untied, Binding::Hook},
  };
}

std::vector<TensorRule> gpt2_layer() {
  const std::string hf = kPrefix + "h.{l}.", gg = "blk.{l}.";
  const auto row = [&](std::string internal, std::string hf_name, std::string gguf_name,
                       Binding binding = Binding::Hook) {
    return TensorRule{std::move(internal), hf + hf_name, gg + gguf_name, When::Always, binding};
  };
  return {
      row("blocks.{l}.ln1", "ln_1.weight", "attn_norm.weight"),
      row("blocks.{l}.ln1.bias", "ln_1.bias", "attn_norm.bias"),
      row("blocks.{l}.attn.qkv", "attn.c_attn.weight", "attn_qkv.weight", Binding::HookTransposed),
      row("blocks.{l}.attn.qkv.bias", "attn.c_attn.bias", "attn_qkv.bias"),
      row("blocks.{l}.attn.o", "attn.c_proj.weight", "attn_output.weight", Binding::HookTransposed),
      row("blocks.{l}.attn.o.bias", "attn.c_proj.bias", "attn_output.bias"),
      row("blocks.{l}.ln2", "ln_2.weight", "ffn_norm.weight"),
      row("blocks.{l}.ln2.bias", "ln_2.bias", "ffn_norm.bias"),
      row("blocks.{l}.mlp.up", "mlp.c_fc.weight", "ffn_up.weight", Binding::HookTransposed),
      row("blocks.{l}.mlp.up.bias", "mlp.c_fc.bias", "ffn_up.bias"),
      row("blocks.{l}.mlp.down", "mlp.c_proj.weight", "ffn_down.weight", Binding::HookTransposed),
      row("blocks.{l}.mlp.down.bias", "mlp.c_proj.bias", "ffn_down.bias"),
  };
}

// How the file names and stores the tensors: HF with or without the "transformer." prefix, or
// GGUF (llama.cpp names, Conv1D weights already [out, in]).
struct Layout {
  bool gguf = false;
  bool prefixed = true;
};

// The file's name for a row: without "transformer." when an HF file has no prefix.
std::string source_name(const TensorRule& rule, Layout layout, int64_t layer) {
  if (layout.gguf) return expand_name(rule.gguf, layer);
  const std::string name = expand_name(rule.hf, layer);
  return layout.prefixed || name.rfind(kPrefix, 0) != 0 ? name : name.substr(kPrefix.size());
}

// Binds the applicable rows of `rules` for one layer; the fused c_attn goes through bind_fused_qkv.
void bind_rows(const std::vector<TensorRule>& rules, const NamedTensors& source, Layout layout, const ModelConfig& c,
               int64_t layer, WeightStore& w) {
  const std::string where = "gpt2";
  TensorView qkv, qkv_bias;
  for (const TensorRule& rule : rules) {
    if (!when_applies(rule.when, c)) continue;
    TensorView v = source.get(source_name(rule, layout, layer), where);
    if (rule.binding == Binding::HookTransposed && !layout.gguf) v = transpose_stored(v, where);
    if (v.rank() == 1) v = slice_vector_f32(v, 0, v.numel());
    const std::string internal = expand_name(rule.internal, layer);
    if (internal.ends_with("attn.qkv")) qkv = v;
    else if (internal.ends_with("attn.qkv.bias")) qkv_bias = v;
    else w.set(internal, v);
  }
  if (qkv.data) bind_fused_qkv(qkv, &qkv_bias, QkvOrder::Blocked, c, layer, w, where);
}

void bind_gpt2(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  const Layout layout{c.source_format == "gguf", source.contains(kPrefix + "wte.weight")};
  bind_rows(gpt2_globals(), source, layout, c, 0, w);
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    bind_rows(gpt2_layer(), source, layout, c, l, w);
    if (layout.gguf) continue;  // llama.cpp has no attention variants
    const std::string layer = std::to_string(l);
    bind_variant_tensors(source, (layout.prefixed ? kPrefix : "") + "h." + layer + ".attn.", c,
                         "blocks." + layer + ".attn.", w);
  }
}

// config.json's names for the family: written by gpt2_hf_config, selecting it when read.
const char* const kModelType = "gpt2";
const char* const kHfClass = "GPT2LMHeadModel";

nlohmann::json gpt2_hf_config(const ModelConfig& c) {
  return {
      {"architectures", {kHfClass}},
      {"model_type", kModelType},
      {"n_embd", c.d_model},
      {"n_head", c.n_heads},
      {"n_layer", c.n_layers},
      {"n_inner", c.d_ff},
      {"n_positions", c.max_positions},
      {"n_ctx", c.max_positions},
      {"vocab_size", c.vocab_size},
      {"layer_norm_epsilon", c.norm_eps},
      {"activation_function", "gelu_new"},
      {"scale_attn_weights", true},
      {"tie_word_embeddings", true},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  };
}

ModelConfig gpt2_example(const SizePreset& p) {
  ModelConfig c = base_example_config(p, "gpt2", 50257);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::GELUTanh;
  c.gated_mlp = false;
  c.positional = Positional::Learned;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.tied_embeddings = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = c.vocab_size - 1;
  return c;
}

void fill_gpt2(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"n_embd"});
  c.n_layers = f.integer({"n_layer"});
  c.n_heads = f.integer({"n_head"});
  c.n_kv_heads = c.n_heads;
  c.d_head = default_head_width(c);
  c.d_ff = f.integer_or({"n_inner"}, 4 * c.d_model);
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"n_positions"}, 1024);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.norm_eps = f.number_or({"layer_norm_epsilon"}, 1e-5);
  c.activation = f.activation({"activation_function"}, "gelu_new");
  c.gated_mlp = false;
  c.positional = Positional::Learned;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, true);
  c.add_bos = false;  // its tokenizer adds no BOS token
  // Exports of `outlierscope train` (src/train/export_hf.cpp) name their attention variant.
  c.attention_variant = f.string_or({"outlierscope_attention_variant"}, "softmax");
}

HfConfigReading gpt2_hf_reading() {
  using nlohmann::json;
  return {{kModelType}, {kHfClass}, fill_gpt2, {
      read_key("activation_function", "MLP activation"),
      read_key("layer_norm_epsilon", "LayerNorm epsilon"),
      read_key("n_inner", "MLP width (default 4 * n_embd)"),
      read_key("tie_word_embeddings", "lm_head reuses the token embedding"),
      only_key("scale_attn_weights", json::array({true}), "false leaves q·k unscaled"),
      only_key("scale_attn_by_inverse_layer_idx", json::array({false}), "true divides the scores of layer l by l + 1"),
  }};
}

// llama.cpp's "gpt2": learned positions, GELU (tanh approximation), no gate.
GgufConfigReading gpt2_gguf_reading() {
  const auto read = [](const GgufKeys&, ModelConfig& c) {
    c.gated_mlp = false;
    c.activation = Activation::GELUTanh;
    c.positional = Positional::Learned;
  };
  return gguf_reading({"gpt2"}, read);
}

ArchSpec gpt2_spec() {
  ArchSpec spec;
  spec.name = "gpt2";
  spec.globals = gpt2_globals();
  spec.per_layer = gpt2_layer();
  spec.bind_extra = bind_gpt2;
  spec.write_hf_config = gpt2_hf_config;
  spec.examples = {{"gpt2", gpt2_example}};
  spec.hf_reading = gpt2_hf_reading();
  spec.gguf_reading = gpt2_gguf_reading();
  return spec;
}

}  // namespace

std::vector<ArchSpec> gpt2_family_archs() { return {gpt2_spec()}; }

}  // namespace osc
