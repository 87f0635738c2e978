#include "train/gpt_model.h"

#include <string>

#include "core/error.h"
#include "train/ops.h"

namespace osc::train {
namespace {

std::vector<float> buffer(int64_t n) { return std::vector<float>(static_cast<size_t>(n), 0.0f); }

}  // namespace

GptModel::GptModel(const GptConfig& config, int64_t max_batch, const GptModel* values_of)
    : config_(config), max_batch_(max_batch), values_of_(values_of) {
  validate_gpt_config(config_, "model config");
  OSC_CHECK_INPUT(max_batch > 0 && max_batch <= 65536, "--batch", "batch must be in 1..65536");
  variant_ = make_attention_variant(config_.variant, VariantOptions{config_.context});
  register_parameters();
  params_.allocate(values_of == nullptr);
  if (values_of && values_of->params_.total() != params_.total())
    throw_internal("GptModel", "a replica's parameter layout differs from the model it reads");
  const int64_t N = max_batch * config_.context, D = config_.dim;
  residual_.assign(static_cast<size_t>(config_.layers + 1), buffer(N * D));
  layers_.resize(static_cast<size_t>(config_.layers));
  for (auto& a : layers_) {
    a.ln1 = buffer(N * D), a.ln1_mean = buffer(N), a.ln1_rstd = buffer(N);
    a.qkv = buffer(N * 3 * D), a.attn_y = buffer(N * D), a.res_mid = buffer(N * D);
    a.ln2 = buffer(N * D), a.ln2_mean = buffer(N), a.ln2_rstd = buffer(N);
    a.fc_pre = buffer(N * 4 * D), a.fc_act = buffer(N * 4 * D);
  }
  lnf_ = buffer(N * D), lnf_mean_ = buffer(N), lnf_rstd_ = buffer(N);
  logits_ = buffer(N * config_.vocab_size);
  d_res_ = buffer(N * D), d_ln_ = buffer(N * D), d_attn_y_ = buffer(N * D);
  d_qkv_ = buffer(N * 3 * D), d_fc_ = buffer(N * 4 * D);
}

void GptModel::register_parameters() {
  const int64_t D = config_.dim, H = config_.heads, hd = config_.d_head(), F = config_.d_ff();
  const bool bias = config_.bias;
  auto add = [&](const std::string& name, Shape shape, Init init) { return params_.add({name, std::move(shape), init}); };
  auto add_bias = [&](const std::string& name, int64_t n) { return bias ? add(name, {n}, Init::Zeros) : int64_t{-1}; };
  wte_ = add("wte.weight", {config_.vocab_size, D}, Init::Normal);
  wpe_ = add("wpe.weight", {config_.context, D}, Init::Normal);
  const VariantParts parts = variant_->parts();
  for (int64_t l = 0; l < config_.layers; ++l) {
    const std::string p = "h." + std::to_string(l) + ".";
    LayerOffsets o;
    o.ln1_w = add(p + "ln_1.weight", {D}, Init::Ones);
    o.ln1_b = add_bias(p + "ln_1.bias", D);
    o.attn_w = add(p + "attn.c_attn.weight", {3 * D, D}, Init::Normal);
    o.attn_b = add_bias(p + "attn.c_attn.bias", 3 * D);
    o.proj_w = add(p + "attn.c_proj.weight", {D, D}, Init::ResidualNormal);
    o.proj_b = add_bias(p + "attn.c_proj.bias", D);
    if (parts.extra_key) o.k_extra = add(p + "attn.k_extra", {H, hd}, Init::Normal);
    if (parts.extra_value) o.v_extra = add(p + "attn.v_extra", {H, hd}, Init::Normal);
    if (parts.gate) {
      o.gate_w = add(p + "attn.gate.weight", {H, D}, Init::Normal);
      o.gate_b = add_bias(p + "attn.gate.bias", H);
    }
    o.ln2_w = add(p + "ln_2.weight", {D}, Init::Ones);
    o.ln2_b = add_bias(p + "ln_2.bias", D);
    o.fc_w = add(p + "mlp.c_fc.weight", {F, D}, Init::Normal);
    o.fc_b = add_bias(p + "mlp.c_fc.bias", F);
    o.fc2_w = add(p + "mlp.c_proj.weight", {D, F}, Init::ResidualNormal);
    o.fc2_b = add_bias(p + "mlp.c_proj.bias", D);
    offsets_.push_back(o);
  }
  lnf_w_ = add("ln_f.weight", {D}, Init::Ones);
  lnf_b_ = add_bias("ln_f.bias", D);
}

AttentionExtras GptModel::extras(const LayerOffsets& o) const {
  return {value(o.k_extra), value(o.v_extra), value(o.gate_w), value(o.gate_b)};
}

AttentionExtraGrads GptModel::extra_grads(const LayerOffsets& o) {
  return {grad(o.k_extra), grad(o.v_extra), grad(o.gate_w), grad(o.gate_b)};
}

double GptModel::forward(const int32_t* tokens, const int32_t* targets, int64_t batch, int64_t seq,
                         float loss_weight) {
  OSC_CHECK_INPUT(batch > 0 && batch <= max_batch_ && seq > 0 && seq <= config_.context, "model forward",
                  "batch " + std::to_string(batch) + " x seq " + std::to_string(seq) + " exceeds the model's buffers");
  if (transform_ && loss_weight != 0.0f)
    throw_internal("GptModel::forward", "a linear-input transform is for evaluation, not training");
  const int64_t N = batch * seq, D = config_.dim, V = config_.vocab_size;
  for (int64_t i = 0; i < N; ++i)
    OSC_CHECK_INPUT(tokens[i] >= 0 && tokens[i] < V && targets[i] >= 0 && targets[i] < V, "model forward",
                    "token id out of range 0.." + std::to_string(V - 1));
  const AttentionDims d{batch, seq, config_.heads, config_.d_head()};
  if (d.batch != dims_.batch || d.seq != dims_.seq)
    for (auto& a : layers_) a.attn.resize(d, variant_->parts());
  dims_ = d;
  tokens_.assign(tokens, tokens + N);
  embedding_forward(tokens, value(wte_), value(wpe_), N, seq, D, residual_[0].data());
  for (int64_t l = 0; l < config_.layers; ++l) layer_forward(l, d);
  const float* last = residual_.back().data();
  layernorm_forward(last, value(lnf_w_), value(lnf_b_), N, D, lnf_.data(), lnf_mean_.data(), lnf_rstd_.data());
  linear_forward(lnf_.data(), value(wte_), nullptr, N, D, V, logits_.data(), false);
  ready_for_backward_ = loss_weight != 0.0f;
  return cross_entropy(logits_.data(), targets, N, V, loss_weight / static_cast<float>(N));
}

void GptModel::layer_forward(int64_t l, const AttentionDims& d) {
  const LayerOffsets& o = offsets_[static_cast<size_t>(l)];
  LayerActivations& a = layers_[static_cast<size_t>(l)];
  const int64_t N = d.rows(), D = config_.dim, F = config_.d_ff();
  const float* x = residual_[static_cast<size_t>(l)].data();
  layernorm_forward(x, value(o.ln1_w), value(o.ln1_b), N, D, a.ln1.data(), a.ln1_mean.data(), a.ln1_rstd.data());
  transform_input(a.ln1, N, D);
  linear_forward(a.ln1.data(), value(o.attn_w), value(o.attn_b), N, D, 3 * D, a.qkv.data(), false);
  attention_forward(*variant_, d, a.ln1.data(), a.qkv.data(), extras(o), a.attn, attn_ws_, a.attn_y.data());
  transform_input(a.attn_y, N, D);
  linear_forward_residual(a.attn_y.data(), value(o.proj_w), value(o.proj_b), x, N, D, D, a.res_mid.data());
  layernorm_forward(a.res_mid.data(), value(o.ln2_w), value(o.ln2_b), N, D, a.ln2.data(), a.ln2_mean.data(),
                    a.ln2_rstd.data());
  transform_input(a.ln2, N, D);
  linear_forward(a.ln2.data(), value(o.fc_w), nullptr, N, D, F, a.fc_pre.data(), false);
  bias_gelu_forward(a.fc_pre.data(), value(o.fc_b), N, F, a.fc_act.data());
  transform_input(a.fc_act, N, F);
  linear_forward_residual(a.fc_act.data(), value(o.fc2_w), value(o.fc2_b), a.res_mid.data(), N, F, D,
                          residual_[static_cast<size_t>(l + 1)].data());
}

void GptModel::backward() {
  if (!ready_for_backward_) throw_internal("GptModel::backward", "no training forward to differentiate");
  ready_for_backward_ = false;
  const AttentionDims d = dims_;
  const int64_t N = d.rows(), D = config_.dim, V = config_.vocab_size;
  // logits_ holds dL/dlogits [N, V]; the head is tied to wte.
  linear_backward(lnf_.data(), value(wte_), logits_.data(), N, D, V, d_ln_.data(), false, grad(wte_), nullptr,
                  reduce_scratch_);
  layernorm_backward(residual_.back().data(), value(lnf_w_), lnf_mean_.data(), lnf_rstd_.data(), d_ln_.data(), N, D,
                     d_res_.data(), false, grad(lnf_w_), grad(lnf_b_), reduce_scratch_);
  for (int64_t l = config_.layers - 1; l >= 0; --l) layer_backward(l, d);
  embedding_backward(tokens_.data(), d_res_.data(), N, d.seq, D, grad(wte_), grad(wpe_));
}

// On entry d_res_ = dL/d(output of layer l); on return dL/d(input of layer l).
void GptModel::layer_backward(int64_t l, const AttentionDims& d) {
  const LayerOffsets& o = offsets_[static_cast<size_t>(l)];
  LayerActivations& a = layers_[static_cast<size_t>(l)];
  const int64_t N = d.rows(), D = config_.dim, F = config_.d_ff();
  linear_backward(a.fc_act.data(), value(o.fc2_w), d_res_.data(), N, F, D, d_fc_.data(), false, grad(o.fc2_w),
                  grad(o.fc2_b), reduce_scratch_);
  gelu_backward(a.fc_pre.data(), N * F, d_fc_.data());
  linear_backward(a.ln2.data(), value(o.fc_w), d_fc_.data(), N, D, F, d_ln_.data(), false, grad(o.fc_w),
                  grad(o.fc_b), reduce_scratch_);
  layernorm_backward(a.res_mid.data(), value(o.ln2_w), a.ln2_mean.data(), a.ln2_rstd.data(), d_ln_.data(), N, D,
                     d_res_.data(), true, grad(o.ln2_w), grad(o.ln2_b), reduce_scratch_);
  linear_backward(a.attn_y.data(), value(o.proj_w), d_res_.data(), N, D, D, d_attn_y_.data(), false, grad(o.proj_w),
                  grad(o.proj_b), reduce_scratch_);
  AttentionExtraGrads g = extra_grads(o);
  attention_backward(*variant_, d, a.ln1.data(), a.qkv.data(), extras(o), a.attn, d_attn_y_.data(), attn_ws_,
                     d_qkv_.data(), d_ln_.data(), g);
  linear_backward(a.ln1.data(), value(o.attn_w), d_qkv_.data(), N, D, 3 * D, d_ln_.data(), variant_->parts().gate,
                  grad(o.attn_w), grad(o.attn_b), reduce_scratch_);
  layernorm_backward(residual_[static_cast<size_t>(l)].data(), value(o.ln1_w), a.ln1_mean.data(), a.ln1_rstd.data(),
                     d_ln_.data(), N, D, d_res_.data(), true, grad(o.ln1_w), grad(o.ln1_b), reduce_scratch_);
}

}  // namespace osc::train
