#include "support/hf_to_gguf_plan.h"

#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

namespace osc::test {
namespace {

using Json = nlohmann::json;

PlannedTensor whole(int64_t index, const std::string& name, const Shape& shape) {
  PlannedTensor t{name, shape, std::vector<int64_t>(static_cast<size_t>(shape_numel(shape)))};
  std::iota(t.at.begin(), t.at.end(), index << 32);
  return t;
}

int64_t row_length(const PlannedTensor& t) { return t.shape.size() < 2 ? 1 : t.shape.back(); }

// new row r = old row rows[r]
PlannedTensor reorder_rows(PlannedTensor t, const std::vector<int64_t>& rows) {
  const int64_t n = row_length(t);
  std::vector<int64_t> at;
  for (int64_t r : rows) at.insert(at.end(), t.at.begin() + r * n, t.at.begin() + (r + 1) * n);
  t.at = std::move(at);
  return t;
}

// GPT-2's Conv1D weight [in, out] -> [out, in].
PlannedTensor transposed(PlannedTensor t) {
  const int64_t in = t.shape[0], out = t.shape[1];
  std::vector<int64_t> at(t.at.size());
  for (int64_t i = 0; i < in; ++i)
    for (int64_t o = 0; o < out; ++o) at[o * in + i] = t.at[i * out + o];
  t.at = std::move(at);
  t.shape = {out, in};
  return t;
}

// LlamaModel.permute: each head's rows [first half; second half] interleaved, so that row
// 2j + i of a head is row i * d/2 + j of the HF head (Meta's rotary pairs).
std::vector<int64_t> meta_rotary_rows(int64_t rows, int64_t heads) {
  const int64_t d = rows / heads;
  std::vector<int64_t> order(static_cast<size_t>(rows));
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t j = 0; j < d / 2; ++j)
      for (int64_t i = 0; i < 2; ++i) order[h * d + 2 * j + i] = h * d + i * (d / 2) + j;
  return order;
}

// Falcon's and GPT-NeoX's fused rows: per kv group `group` query heads, one key head, one value
// head; llama.cpp stores all queries, then all keys, then all values.
std::vector<int64_t> queries_keys_values_rows(int64_t kv_heads, int64_t group, int64_t d_head) {
  std::vector<int64_t> order;
  const int64_t stride = (group + 2) * d_head;
  for (int64_t part = 0; part < 3; ++part)
    for (int64_t g = 0; g < kv_heads; ++g) {
      const int64_t first = g * stride + (part == 0 ? 0 : (group + part - 1) * d_head);
      const int64_t count = part == 0 ? group * d_head : d_head;
      for (int64_t r = 0; r < count; ++r) order.push_back(first + r);
    }
  return order;
}

// Name tables: HF stem -> GGUF stem (".weight" / ".bias" follow), globals and per layer.
struct Names {
  std::map<std::string, std::string> globals;
  std::string layer_prefix;
  std::map<std::string, std::string> layer;
};

Names llama_names() {
  return {{{"model.embed_tokens", "token_embd"}, {"model.norm", "output_norm"}, {"lm_head", "output"}},
          "model.layers.",
          {{"input_layernorm", "attn_norm"}, {"self_attn.q_proj", "attn_q"}, {"self_attn.k_proj", "attn_k"},
           {"self_attn.v_proj", "attn_v"}, {"self_attn.o_proj", "attn_output"},
           {"post_attention_layernorm", "ffn_norm"}, {"mlp.gate_proj", "ffn_gate"}, {"mlp.up_proj", "ffn_up"},
           {"mlp.down_proj", "ffn_down"}, {"block_sparse_moe.gate", "ffn_gate_inp"}}};
}

Names family_names(const std::string& type) {
  if (type == "llama" || type == "mistral" || type == "mixtral" || type == "qwen2") return llama_names();
  if (type == "gpt2")
    return {{{"transformer.wte", "token_embd"}, {"transformer.wpe", "position_embd"}, {"transformer.ln_f", "output_norm"}},
            "transformer.h.",
            {{"ln_1", "attn_norm"}, {"attn.c_attn", "attn_qkv"}, {"attn.c_proj", "attn_output"}, {"ln_2", "ffn_norm"},
             {"mlp.c_fc", "ffn_up"}, {"mlp.c_proj", "ffn_down"}}};
  if (type == "falcon")
    return {{{"transformer.word_embeddings", "token_embd"}, {"transformer.ln_f", "output_norm"}, {"lm_head", "output"}},
            "transformer.h.",
            {{"input_layernorm", "attn_norm"}, {"ln_attn", "attn_norm"}, {"ln_mlp", "attn_norm_2"},
             {"self_attention.query_key_value", "attn_qkv"}, {"self_attention.dense", "attn_output"},
             {"mlp.dense_h_to_4h", "ffn_up"}, {"mlp.dense_4h_to_h", "ffn_down"}}};
  if (type == "mpt")
    return {{{"transformer.wte", "token_embd"}, {"transformer.norm_f", "output_norm"}},
            "transformer.blocks.",
            {{"norm_1", "attn_norm"}, {"attn.Wqkv", "attn_qkv"}, {"attn.out_proj", "attn_output"}, {"norm_2", "ffn_norm"},
             {"ffn.up_proj", "ffn_up"}, {"ffn.down_proj", "ffn_down"}}};
  if (type == "phi")
    return {{{"model.embed_tokens", "token_embd"}, {"model.final_layernorm", "output_norm"}, {"lm_head", "output"}},
            "model.layers.",
            {{"input_layernorm", "attn_norm"}, {"self_attn.q_proj", "attn_q"}, {"self_attn.k_proj", "attn_k"},
             {"self_attn.v_proj", "attn_v"}, {"self_attn.dense", "attn_output"}, {"mlp.fc1", "ffn_up"},
             {"mlp.fc2", "ffn_down"}}};
  if (type == "gpt_neox")
    return {{{"gpt_neox.embed_in", "token_embd"}, {"gpt_neox.final_layer_norm", "output_norm"}, {"embed_out", "output"}},
            "gpt_neox.layers.",
            {{"input_layernorm", "attn_norm"}, {"post_attention_layernorm", "ffn_norm"},
             {"attention.query_key_value", "attn_qkv"}, {"attention.dense", "attn_output"},
             {"mlp.dense_h_to_4h", "ffn_up"}, {"mlp.dense_4h_to_h", "ffn_down"}}};
  throw std::runtime_error("hf_to_gguf: no llama.cpp conversion for model_type '" + type + "'");
}

// The family's GGUF tensor from its HF tensor: the transforms convert_hf_to_gguf.py applies.
PlannedTensor transform(const std::string& type, const Json& c, const std::string& stem, const std::string& suffix,
                        PlannedTensor t) {
  if (type == "gpt2" && suffix == ".weight" &&
      (stem == "attn_qkv" || stem == "attn_output" || stem == "ffn_up" || stem == "ffn_down"))
    return transposed(std::move(t));
  const bool meta_rotary = type == "llama" || type == "mistral" || type == "mixtral";
  if (meta_rotary && suffix == ".weight" && (stem == "attn_q" || stem == "attn_k")) {
    const int64_t heads = c.at(stem == "attn_q" ? "num_attention_heads" : "num_key_value_heads").get<int64_t>();
    const std::vector<int64_t> rows = meta_rotary_rows(t.shape[0], heads);
    return reorder_rows(std::move(t), rows);
  }
  if (stem == "attn_qkv" && (type == "falcon" || type == "gpt_neox")) {
    const int64_t heads = c.at("num_attention_heads").get<int64_t>(), d_head = c.at("hidden_size").get<int64_t>() / heads;
    const int64_t kv = type == "gpt_neox" ? heads : c.value("num_kv_heads", int64_t{1});
    return reorder_rows(std::move(t), queries_keys_values_rows(kv, heads / kv, d_head));
  }
  return t;
}

// "<prefix><layer>.<rest>" -> layer, rest.
bool split_layer(const std::string& stem, const std::string& prefix, int64_t& layer, std::string& rest) {
  if (!stem.starts_with(prefix)) return false;
  const size_t dot = stem.find('.', prefix.size());
  if (dot == std::string::npos) return false;
  layer = std::stoll(stem.substr(prefix.size(), dot - prefix.size()));
  rest = stem.substr(dot + 1);
  return true;
}

// Mixtral's "block_sparse_moe.experts.E.wK" -> E and the GGUF stem of its matrix (ffn_gate, ...):
// "<stem>_exps" stacked, "<stem>.E" in conversions made before llama.cpp stacked the experts.
bool expert_of(const std::string& rest, int64_t& expert, std::string& stem) {
  const std::string head = "block_sparse_moe.experts.";
  if (!rest.starts_with(head)) return false;
  const size_t dot = rest.find('.', head.size());
  expert = std::stoll(rest.substr(head.size(), dot - head.size()));
  const std::string w = rest.substr(dot + 1);
  stem = w == "w1" ? "ffn_gate" : w == "w2" ? "ffn_down" : "ffn_up";
  return true;
}

// The experts of one layer, in expert order, as one [experts, rows, cols] tensor.
PlannedTensor stacked(const std::string& name, const std::map<int64_t, PlannedTensor>& by_expert) {
  PlannedTensor out{name, {}, {}};
  for (const auto& [e, t] : by_expert) out.at.insert(out.at.end(), t.at.begin(), t.at.end());
  out.shape = by_expert.begin()->second.shape;
  out.shape.insert(out.shape.begin(), static_cast<int64_t>(by_expert.size()));
  return out;
}

using Metadata = std::vector<std::pair<std::string, MetadataValue>>;

void put(Metadata& m, const std::string& key, double v, MetadataValue::Kind kind = MetadataValue::Kind::U32) {
  m.push_back({key, {kind, v}});
}

double num(const Json& c, const char* key) { return c.at(key).get<double>(); }

Metadata llama_like_metadata(const std::string& type, const Json& c) {
  Metadata m;
  const auto f32 = MetadataValue::Kind::F32;
  put(m, "context_length", num(c, "max_position_embeddings"));
  put(m, "embedding_length", num(c, "hidden_size"));
  put(m, "block_count", num(c, "num_hidden_layers"));
  put(m, "feed_forward_length", num(c, "intermediate_size"));
  put(m, "attention.head_count", num(c, "num_attention_heads"));
  put(m, "attention.head_count_kv", num(c, "num_key_value_heads"));
  put(m, "rope.freq_base", num(c, "rope_theta"), f32);
  put(m, "attention.layer_norm_rms_epsilon", num(c, "rms_norm_eps"), f32);
  if (type == "qwen2") return m;
  put(m, "rope.dimension_count", num(c, "hidden_size") / num(c, "num_attention_heads"));
  put(m, "vocab_size", num(c, "vocab_size"));
  if (type == "mixtral") {
    put(m, "expert_count", num(c, "num_local_experts"));
    put(m, "expert_used_count", num(c, "num_experts_per_tok"));
  }
  return m;
}

Metadata family_metadata(const std::string& type, const Json& c) {
  if (type != "gpt2" && type != "falcon" && type != "mpt" && type != "phi" && type != "gpt_neox")
    return llama_like_metadata(type, c);
  Metadata m;
  const auto f32 = MetadataValue::Kind::F32;
  const char* d = type == "gpt2" ? "n_embd" : type == "mpt" ? "d_model" : "hidden_size";
  const char* heads = type == "gpt2" ? "n_head" : type == "mpt" ? "n_heads" : "num_attention_heads";
  const char* layers = type == "gpt2" ? "n_layer" : type == "mpt" ? "n_layers" : "num_hidden_layers";
  put(m, "embedding_length", num(c, d));
  put(m, "block_count", num(c, layers));
  put(m, "attention.head_count", num(c, heads));
  put(m, "feed_forward_length", type == "gpt_neox" ? num(c, "intermediate_size") : 4 * num(c, d));
  if (type == "gpt2") put(m, "context_length", num(c, "n_ctx"));
  if (type == "falcon") put(m, "context_length", 2048);  // convert_hf_to_gguf.py: "not in config.json"
  if (type == "mpt") put(m, "context_length", num(c, "max_seq_len"));
  if (type == "phi" || type == "gpt_neox") put(m, "context_length", num(c, "max_position_embeddings"));
  if (type == "falcon") put(m, "attention.head_count_kv", c.value("num_kv_heads", 1.0));
  if (type == "phi") put(m, "attention.head_count_kv", num(c, heads));
  const char* eps = type == "mpt" ? nullptr : (type == "phi" || type == "gpt_neox") ? "layer_norm_eps" : "layer_norm_epsilon";
  put(m, "attention.layer_norm_epsilon", eps ? num(c, eps) : 1e-5, f32);
  if (type == "phi") put(m, "rope.dimension_count", std::floor(num(c, "partial_rotary_factor") * num(c, d) / num(c, heads)));
  if (type == "gpt_neox") {
    put(m, "rope.dimension_count", std::floor(num(c, "rotary_pct") * std::floor(num(c, d) / num(c, heads))));
    put(m, "use_parallel_residual", c.value("use_parallel_residual", true) ? 1 : 0, MetadataValue::Kind::Bool);
  }
  if (type == "mpt") {
    const Json& attn = c.at("attn_config");
    if (!attn.value("clip_qkv", Json()).is_null()) put(m, "attention.clamp_kqv", num(attn, "clip_qkv"), f32);
    put(m, "attention.max_alibi_bias", attn.value("alibi", false) ? num(attn, "alibi_bias_max") : 0.0, f32);
  }
  return m;
}

std::string gguf_arch(const std::string& type) {
  if (type == "mistral" || type == "mixtral") return "llama";
  if (type == "phi") return "phi2";
  if (type == "gpt_neox") return "gptneox";
  return type;
}

// Replaces each layer's attn_q, attn_k, attn_v (weights, and biases) by attn_qkv: their rows in
// that order.
void fuse_qkv(std::vector<PlannedTensor>& tensors) {
  std::map<std::string, PlannedTensor> fused;  // "blk.N.attn_qkv.weight" -> rows so far
  std::vector<PlannedTensor> kept;
  for (PlannedTensor& t : tensors) {
    const size_t at = t.name.find(".attn_");
    const std::string part = at == std::string::npos ? "" : t.name.substr(at + 6, t.name.find('.', at + 1) - at - 6);
    if (part != "q" && part != "k" && part != "v") {
      kept.push_back(std::move(t));
      continue;
    }
    PlannedTensor& f = fused[t.name.substr(0, at) + ".attn_qkv" + t.name.substr(t.name.find('.', at + 1))];
    f.at.insert(f.at.end(), t.at.begin(), t.at.end());
    if (f.shape.empty()) f.shape = t.shape;
    else f.shape[0] += t.shape[0];
  }
  for (auto& [name, t] : fused) kept.push_back({name, t.shape, std::move(t.at)});
  tensors = std::move(kept);
}

}  // namespace

ConversionPlan plan_conversion(const Json& config, const std::vector<HfTensorShape>& hf, const PlanOptions& options) {
  const std::string type = config.at("model_type").get<std::string>();
  const Names names = family_names(type);
  ConversionPlan plan{gguf_arch(type), family_metadata(type, config), {}};
  std::map<std::string, std::map<int64_t, PlannedTensor>> experts;  // stacked name -> expert -> tensor
  for (size_t i = 0; i < hf.size(); ++i) {
    const size_t dot = hf[i].name.rfind('.');
    const std::string stem = hf[i].name.substr(0, dot), suffix = hf[i].name.substr(dot);
    PlannedTensor t = whole(static_cast<int64_t>(i), "", hf[i].shape);
    if (auto g = names.globals.find(stem); g != names.globals.end()) {
      t.name = g->second + suffix;
      plan.tensors.push_back(std::move(t));
      continue;
    }
    int64_t layer = 0, expert = 0;
    std::string rest, expert_stem;
    if (!split_layer(stem, names.layer_prefix, layer, rest)) throw std::runtime_error("hf_to_gguf: no name for " + hf[i].name);
    const std::string blk = "blk." + std::to_string(layer) + ".";
    if (expert_of(rest, expert, expert_stem)) {
      if (options.per_expert_mixtral) {
        t.name = blk + expert_stem + "." + std::to_string(expert) + suffix;
        plan.tensors.push_back(std::move(t));
      } else {
        experts[blk + expert_stem + "_exps" + suffix][expert] = std::move(t);
      }
      continue;
    }
    auto l = names.layer.find(rest);
    if (l == names.layer.end()) throw std::runtime_error("hf_to_gguf: no name for " + hf[i].name);
    t.name = blk + l->second + suffix;
    plan.tensors.push_back(transform(type, config, l->second, suffix, std::move(t)));
  }
  for (const auto& [name, by_expert] : experts) plan.tensors.push_back(stacked(name, by_expert));
  if (options.fused_phi2_qkv && type == "phi") fuse_qkv(plan.tensors);
  return plan;
}

}  // namespace osc::test
