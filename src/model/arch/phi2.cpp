// Phi-2 (PhiForCausalLM): parallel attention and MLP behind one input_layernorm, separate q/k/v
// with biases, partial rotary (partial_rotary_factor), gelu_new, untied lm_head with a bias;
// with qk_layernorm, per-head LayerNorms q_layernorm / k_layernorm [d_head] on q and k.
// Every tensor maps one to one, in GGUF too (llama.cpp's phi2: attn_q / attn_k / attn_v as
// convert_hf_to_gguf.py writes them for PhiForCausalLM, or one blocked attn_qkv in files converted
// from the older Phi code; llama.cpp has no q/k layernorms).
#include "model/arch/arch.h"
#include "model/arch/fused.h"

namespace osc {
namespace {

// config.json's names for the family: written by phi2_hf_config, selecting it when read.
const char* const kModelType = "phi";
const char* const kHfClass = "PhiForCausalLM";

const std::string kLayer = "model.layers.{l}.", kGgufLayer = "blk.{l}.";
const std::string kGgufQkv = kGgufLayer + "attn_qkv";

// q, k, v and their biases, bound by bind_phi2_qkv: a GGUF may hold them fused instead.
std::vector<TensorRule> qkv_rows() {
  const std::string hf = kLayer + "self_attn.", gg = kGgufLayer;
  std::vector<TensorRule> rows;
  for (const char* x : {"q", "k", "v"}) {
    const std::string internal = std::string("blocks.{l}.attn.") + x;
    rows.push_back({internal, hf + x + "_proj.weight", gg + "attn_" + x + ".weight", When::Always, Binding::Hook});
    rows.push_back({internal + ".bias", hf + x + "_proj.bias", gg + "attn_" + x + ".bias", When::QkvBias, Binding::Hook});
  }
  return rows;
}

// HF files and current GGUF conversions store q, k and v apart; GGUF files converted from the
// pre-transformers Phi-2 code (mixer.Wqkv) hold one attn_qkv [3 d_model, d_model], blocked.
void bind_phi2_qkv(const NamedTensors& source, ModelConfig& c, LayerRange layers, WeightStore& w) {
  const bool gguf = c.source_format == "gguf";
  for (int64_t l = layers.first; l < layers.end_in(c.n_layers); ++l) {
    if (gguf && source.contains(expand_name(kGgufQkv + ".weight", l))) {
      bind_fused_qkv_layers(source, kGgufQkv, QkvOrder::Blocked, c, {l, l + 1}, w, "phi2");
      continue;
    }
    for (const TensorRule& row : qkv_rows()) {
      if (!when_applies(row.when, c)) continue;
      const TensorView& v = source.get(expand_name(gguf ? row.gguf : row.hf, l), "phi2");
      w.set(expand_name(row.internal, l), v.rank() == 1 ? slice_vector_f32(v, 0, v.numel()) : v);
    }
  }
}

nlohmann::json phi2_hf_config(const ModelConfig& c) {
  nlohmann::json j = llama_style_size_keys(c);
  j.update({
      {"architectures", {kHfClass}},
      {"model_type", kModelType},
      {"partial_rotary_factor", c.rotary_fraction},
      {"rope_theta", c.rope_theta},
      {"layer_norm_eps", c.norm_eps},
      {"hidden_act", "gelu_new"},
      {"qk_layernorm", false},
      {"tie_word_embeddings", false},
      {"bos_token_id", c.bos_token_id},
      {"eos_token_id", c.eos_token_id},
  });
  return j;
}

// Phi-2 rotates 0.4 of each 80-wide head (32 dims). Other head widths keep the largest even
// count not above 0.4 * d_head, so that the fraction stays exact and RoPE pairs stay whole.
double phi2_rotary_fraction(int64_t d_head) {
  int64_t dims = (d_head * 2 / 5) / 2 * 2;
  return static_cast<double>(dims) / static_cast<double>(d_head);
}

ModelConfig phi2_example(const SizePreset& p) {
  ModelConfig c = base_example_config(p, "phi2", 51200);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.activation = Activation::GELUTanh;
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.rotary_fraction = phi2_rotary_fraction(c.d_head);
  c.parallel_block = true;
  c.parallel_shared_norm = true;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = true;
  c.lm_head_bias = true;
  c.add_bos = false;
  c.bos_token_id = c.eos_token_id = c.vocab_size > 50256 ? 50256 : c.vocab_size - 1;
  return c;
}

void fill_phi(const HfFields& f, ModelConfig& c) {
  c.d_model = f.integer({"hidden_size"});
  c.n_layers = f.integer({"num_hidden_layers"});
  c.n_heads = f.integer({"num_attention_heads"});
  c.n_kv_heads = f.integer_or({"num_key_value_heads"}, c.n_heads);
  c.d_head = default_head_width(c);
  c.d_ff = f.integer({"intermediate_size"});
  c.vocab_size = f.integer({"vocab_size"});
  c.max_positions = f.integer_or({"max_position_embeddings"}, 2048);
  c.norm = NormType::LayerNorm;
  c.norm_has_bias = true;
  c.norm_eps = f.number_or({"layer_norm_eps"}, 1e-5);
  c.activation = f.activation({"hidden_act"}, "gelu_new");
  c.gated_mlp = false;
  c.positional = Positional::RoPE;
  c.rope_theta = f.number_or({"rope_theta"}, 10000.0);
  c.rotary_fraction = f.number_or({"partial_rotary_factor"}, 0.5);
  fill_rope_scaling(f, c);
  c.qk_norm = f.boolean_or({"qk_layernorm"}, false);
  c.parallel_block = c.parallel_shared_norm = true;
  c.attn_qkv_bias = c.attn_out_bias = c.mlp_bias = c.lm_head_bias = true;
  c.tied_embeddings = f.boolean_or({"tie_word_embeddings"}, false);
  c.add_bos = false;  // its tokenizer adds no BOS token
}

HfConfigReading phi2_hf_reading() {
  const std::vector<ComputationKey> own = {
      read_key("partial_rotary_factor", "fraction of each head RoPE rotates"),
      read_key("qk_layernorm", "LayerNorm over each head's q and k before RoPE"),
      read_key("num_key_value_heads", "grouped-query attention"),
      read_key("hidden_act", "MLP activation"),
      read_key("layer_norm_eps", "LayerNorm epsilon"),
      read_key("tie_word_embeddings", "lm_head reuses the token embedding"),
  };
  return {{kModelType}, {kHfClass}, fill_phi, join_keys(own, rope_keys())};
}

// llama.cpp's "phi2": RoPE, GELU (tanh approximation), parallel block with one shared norm.
GgufConfigReading phi2_gguf_reading() {
  const auto read = [](const GgufKeys&, ModelConfig& c) {
    c.gated_mlp = false;
    c.activation = Activation::GELUTanh;
    c.positional = Positional::RoPE;
    c.parallel_block = true;
    c.parallel_shared_norm = true;
  };
  return gguf_reading({"phi2"}, read);
}

ArchSpec phi2_spec() {
  ArchSpec spec;
  spec.name = "phi2";
  spec.globals = {
      {"embed", "model.embed_tokens.weight", "token_embd.weight"},
      {"ln_final", "model.final_layernorm.weight", "output_norm.weight"},
      {"ln_final.bias", "model.final_layernorm.bias", "output_norm.bias", When::NormBias},
      {"lm_head", "lm_head.weight", "output.weight", When::Untied},
      {"lm_head.bias", "lm_head.bias", "output.bias", When::LmHeadBias},
  };
  const std::string hf = kLayer, gg = kGgufLayer;
  spec.per_layer = {
      {"blocks.{l}.ln1", hf + "input_layernorm.weight", gg + "attn_norm.weight"},
      {"blocks.{l}.ln1.bias", hf + "input_layernorm.bias", gg + "attn_norm.bias", When::NormBias},
  };
  const std::vector<TensorRule> qkv = qkv_rows();
  spec.per_layer.insert(spec.per_layer.end(), qkv.begin(), qkv.end());
  const std::vector<TensorRule> rest = {
      {"blocks.{l}.attn.o", hf + "self_attn.dense.weight", gg + "attn_output.weight"},
      {"blocks.{l}.attn.o.bias", hf + "self_attn.dense.bias", gg + "attn_output.bias", When::OutBias},
      {"blocks.{l}.attn.q_norm", hf + "self_attn.q_layernorm.weight", "", When::QkNorm},
      {"blocks.{l}.attn.q_norm.bias", hf + "self_attn.q_layernorm.bias", "", When::QkNorm},
      {"blocks.{l}.attn.k_norm", hf + "self_attn.k_layernorm.weight", "", When::QkNorm},
      {"blocks.{l}.attn.k_norm.bias", hf + "self_attn.k_layernorm.bias", "", When::QkNorm},
      {"blocks.{l}.mlp.up", hf + "mlp.fc1.weight", gg + "ffn_up.weight"},
      {"blocks.{l}.mlp.up.bias", hf + "mlp.fc1.bias", gg + "ffn_up.bias", When::MlpBias},
      {"blocks.{l}.mlp.down", hf + "mlp.fc2.weight", gg + "ffn_down.weight"},
      {"blocks.{l}.mlp.down.bias", hf + "mlp.fc2.bias", gg + "ffn_down.bias", When::MlpBias},
  };
  spec.per_layer.insert(spec.per_layer.end(), rest.begin(), rest.end());
  spec.bind_extra = bind_phi2_qkv;
  spec.write_hf_config = phi2_hf_config;
  spec.examples = {{"phi2", phi2_example}};
  spec.hf_reading = phi2_hf_reading();
  spec.gguf_reading = phi2_gguf_reading();
  return spec;
}

}  // namespace

std::vector<ArchSpec> phi2_family_archs() { return {phi2_spec()}; }

}  // namespace osc
