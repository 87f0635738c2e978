// ModelConfig: the normalised hyper-parameters of a transformer LM, whatever file they came from
// (HF config.json, GGUF metadata, llama2.c header, an outlierscope training run). Every
// architecture's forward pass reads only this struct, never source-specific keys.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace osc {

enum class NormType { RMSNorm, LayerNorm };
enum class Activation { SiLU, GELU, GELUTanh, ReLU };  // GELUTanh = gelu_new / gelu_pytorch_tanh
enum class Positional { Learned, RoPE, ALiBi, None };
// Where ALiBi's bias goes. Mpt: slope·(j − i) added to the scaled logits (HF MPT, llama.cpp).
// FalconRW: bf16(bf16(slope)·j) added to q·k before the 1/sqrt(d_head) scale (HF Falcon's
// build_alibi_tensor and FalconAttention), i.e. sqrt(d_head) times flatter.
enum class AlibiStyle { Mpt, FalconRW };
// The precision of the forward pass's activations (--compute): F32, or BF16 rounding wherever Hugging
// Face's module with the model in torch.bfloat16 makes a bf16 tensor (model/compute_precision.h).
enum class Compute { F32, BF16 };

struct RopeScaling {
  std::string type = "none";  // "none", "linear", "llama3"
  double factor = 1.0;
  double low_freq_factor = 1.0, high_freq_factor = 4.0;     // llama3
  int64_t original_max_position_embeddings = 8192;          // llama3
};

struct ModelConfig {
  std::string architecture;   // "llama", "mistral", "mixtral", "qwen2", "gpt2", "opt", "falcon", "mpt", "phi2", "gpt_neox", "osc_gpt2"
  std::string source_format;  // "hf", "gguf", "llama2c", "run"
  std::string name;           // model name if the file gives one

  int64_t n_layers = 0, d_model = 0, n_heads = 0, n_kv_heads = 0, d_head = 0, d_ff = 0;
  int64_t vocab_size = 0, max_positions = 0;

  NormType norm = NormType::RMSNorm;
  double norm_eps = 1e-5;
  bool norm_has_bias = false;       // LayerNorm with bias (MPT has none)
  Activation activation = Activation::SiLU;
  bool gated_mlp = true;            // gate/up/down (LLaMA) versus fc1/fc2 (GPT-2)

  Positional positional = Positional::RoPE;
  double rope_theta = 10000.0;
  double rotary_fraction = 1.0;     // partial rotary (Phi-2 0.4, NeoX 0.25)
  bool rope_interleaved = false;    // GPT-J style pairs (x0,x1) vs rotate_half (x_i, x_{i+d/2})
  RopeScaling rope_scaling;
  int64_t position_offset = 0;      // OPT's learned positions start at 2
  std::optional<double> alibi_bias_max;  // MPT: 8
  AlibiStyle alibi_style = AlibiStyle::Mpt;

  bool parallel_block = false;      // attention and MLP read the same input (GPT-J/NeoX/Falcon/Phi-2)
  bool parallel_shared_norm = false;  // parallel block with one norm (Falcon-7B, Phi-2)
  bool attn_qkv_bias = false, attn_out_bias = false, mlp_bias = false;
  bool lm_head_bias = false;
  bool tied_embeddings = false;
  std::optional<double> attn_scale;  // overrides 1/sqrt(d_head) when set
  std::optional<double> clip_qkv;    // MPT
  std::optional<int64_t> sliding_window;  // Mistral
  std::vector<bool> sliding_window_layers;  // [n_layers]: which layers use the window (Qwen2); empty = all
  bool qk_norm = false;              // Phi qk_layernorm: LayerNorm over each head's q and k before RoPE

  int64_t n_experts = 0, n_experts_per_token = 0;  // MoE (Mixtral); 0 = dense

  std::string attention_variant = "softmax";  // outlierscope-trained runs: the paper's variants
  Compute compute = Compute::F32;  // set by Model::use_compute, never read from a file

  int64_t bos_token_id = -1, eos_token_id = -1;
  bool add_bos = true;

  int64_t kv_group() const { return n_kv_heads > 0 ? n_heads / n_kv_heads : 1; }
  std::optional<int64_t> window_at(int64_t layer) const {
    if (!sliding_window_layers.empty() && !sliding_window_layers.at(static_cast<size_t>(layer))) return std::nullopt;
    return sliding_window;
  }
  int64_t rotary_dims() const { return static_cast<int64_t>(static_cast<double>(d_head) * rotary_fraction); }
};

nlohmann::json model_config_to_json(const ModelConfig& c);
// Throws BadInput naming `where` if a value is missing, non-positive or inconsistent
// (e.g. n_heads not divisible by n_kv_heads, d_model != n_heads * d_head where required).
void validate_model_config(const ModelConfig& c, const std::string& where);

}  // namespace osc
