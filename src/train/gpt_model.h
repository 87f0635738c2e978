// GptModel: a GPT-2-style LM (nanoGPT layout) with an attention variant, its parameters in a
// ParamStore, and hand-written forward and backward passes over preallocated activations. The
// activations of the last forward stay readable (hook values: residual stream, attention weights,
// the variant's extra-slot weights and gates).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "train/attention_layer.h"
#include "train/gpt_config.h"
#include "train/param_store.h"

namespace osc::train {

// Offsets of one layer's tensors in the ParamStore (-1: absent, e.g. biases with bias=false).
struct LayerOffsets {
  int64_t ln1_w = -1, ln1_b = -1, attn_w = -1, attn_b = -1, proj_w = -1, proj_b = -1;
  int64_t ln2_w = -1, ln2_b = -1, fc_w = -1, fc_b = -1, fc2_w = -1, fc2_b = -1;
  int64_t k_extra = -1, v_extra = -1, gate_w = -1, gate_b = -1;
};

struct LayerActivations {
  std::vector<float> ln1, ln1_mean, ln1_rstd;  // [N, D], [N], [N]
  std::vector<float> qkv;                      // [N, 3D]
  std::vector<float> attn_y;                   // [N, D] attention output before c_proj
  std::vector<float> res_mid;                  // [N, D] residual after attention
  std::vector<float> ln2, ln2_mean, ln2_rstd;  // [N, D], [N], [N]
  std::vector<float> fc_pre, fc_act;           // [N, 4D] before / after GELU
  AttentionSaved attn;
};

// Edits one linear layer's input [rows, width] in place just before the product (the W8A8
// experiment quantizes activations per token with it).
using LinearInputTransform = std::function<void(float* data, int64_t rows, int64_t width)>;

class GptModel {
 public:
  // Buffers are sized for up to max_batch sequences of config.context tokens. A replica (data-
  // parallel training) reads the parameter values of `values_of`, which must outlive it, and keeps
  // its own gradients and activations; its params().values is empty.
  GptModel(const GptConfig& config, int64_t max_batch, const GptModel* values_of = nullptr);

  const GptConfig& config() const { return config_; }
  ParamStore& params() { return params_; }
  const ParamStore& params() const { return params_; }
  const AttentionVariant& variant() const { return *variant_; }

  // tokens, targets: [batch, seq], seq <= context, ids < vocab (BadInput otherwise). Returns the
  // mean cross-entropy. With loss_weight != 0 it also readies backward() to accumulate the
  // gradient of loss_weight * mean loss.
  double forward(const int32_t* tokens, const int32_t* targets, int64_t batch, int64_t seq, float loss_weight);
  void backward();
  // Inference only (forward with loss_weight 0): `transform` sees the inputs of c_attn,
  // attn.c_proj, mlp.c_fc and mlp.c_proj of every block, in that order (a gated variant's gate
  // reads the transformed c_attn input); the tied head's input is left as is. Empty: none.
  void set_linear_input_transform(LinearInputTransform transform) { transform_ = std::move(transform); }

  const std::vector<float>& residual(int64_t l) const { return residual_[static_cast<size_t>(l)]; }  // input of layer l; l = layers: final
  const LayerActivations& layer(int64_t l) const { return layers_[static_cast<size_t>(l)]; }
  const std::vector<float>& logits() const { return logits_; }  // [N, V] (gradients after a training forward)

 private:
  void register_parameters();
  AttentionExtras extras(const LayerOffsets& o) const;
  AttentionExtraGrads extra_grads(const LayerOffsets& o);
  const float* value(int64_t offset) const {
    return offset < 0 ? nullptr : (values_of_ ? values_of_->params_ : params_).values.data() + offset;
  }
  float* grad(int64_t offset) { return offset < 0 ? nullptr : params_.grads.data() + offset; }
  void layer_forward(int64_t l, const AttentionDims& d);
  void layer_backward(int64_t l, const AttentionDims& d);
  void transform_input(std::vector<float>& data, int64_t rows, int64_t width) const {
    if (transform_) transform_(data.data(), rows, width);
  }

  GptConfig config_;
  int64_t max_batch_;
  std::unique_ptr<AttentionVariant> variant_;
  const GptModel* values_of_;
  ParamStore params_;
  int64_t wte_ = -1, wpe_ = -1, lnf_w_ = -1, lnf_b_ = -1;
  std::vector<LayerOffsets> offsets_;

  std::vector<std::vector<float>> residual_;  // layers + 1 of [N, D]
  std::vector<LayerActivations> layers_;
  std::vector<float> lnf_, lnf_mean_, lnf_rstd_, logits_;
  std::vector<int32_t> tokens_;
  AttentionDims dims_;  // of the last forward
  bool ready_for_backward_ = false;
  LinearInputTransform transform_;

  // Backward buffers.
  std::vector<float> d_res_, d_ln_, d_attn_y_, d_qkv_, d_fc_;
  AttentionWorkspace attn_ws_;
  std::vector<float> reduce_scratch_;
};

}  // namespace osc::train
