#include "experiment/eval_forward.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "train/ops.h"

namespace osc::experiment {
namespace {

using train::GptModel;

struct Buffers {
  std::vector<float> x, ln, mean, rstd, qkv, attn_y, fc_pre, fc_act;  // [N, D] / [N] / [N, 3D] / [N, 4D]
  train::AttentionSaved saved;
  train::AttentionWorkspace workspace;
};

std::vector<float> zeros(int64_t n) { return std::vector<float>(static_cast<size_t>(n), 0.0f); }

// The parameter by HF GPT-2 name, or null when the model has none (biases with bias=false).
const float* param(const GptModel& m, const std::string& name) {
  const train::ParamEntry* e = m.params().find(name);
  return e == nullptr ? nullptr : m.params().values.data() + e->offset;
}

void apply(const LinearInputTransform& transform, std::vector<float>& data, int64_t rows, int64_t width) {
  if (transform) transform(data.data(), rows, width);
}

// One pre-LayerNorm block on b.x [N, D], in place, as GptModel::layer_forward computes it.
void block_forward(const GptModel& m, int64_t l, const train::AttentionDims& d, Buffers& b,
                   const LinearInputTransform& transform) {
  const int64_t N = d.rows(), D = m.config().dim, F = m.config().d_ff();
  const std::string p = "h." + std::to_string(l) + ".";
  train::layernorm_forward(b.x.data(), param(m, p + "ln_1.weight"), param(m, p + "ln_1.bias"), N, D, b.ln.data(),
                           b.mean.data(), b.rstd.data());
  apply(transform, b.ln, N, D);
  train::linear_forward(b.ln.data(), param(m, p + "attn.c_attn.weight"), param(m, p + "attn.c_attn.bias"), N, D,
                        3 * D, b.qkv.data(), false);
  const train::AttentionExtras extras{param(m, p + "attn.k_extra"), param(m, p + "attn.v_extra"),
                                      param(m, p + "attn.gate.weight"), param(m, p + "attn.gate.bias")};
  train::attention_forward(m.variant(), d, b.ln.data(), b.qkv.data(), extras, b.saved, b.workspace, b.attn_y.data());
  apply(transform, b.attn_y, N, D);
  train::linear_forward(b.attn_y.data(), param(m, p + "attn.c_proj.weight"), param(m, p + "attn.c_proj.bias"), N, D,
                        D, b.x.data(), true);
  train::layernorm_forward(b.x.data(), param(m, p + "ln_2.weight"), param(m, p + "ln_2.bias"), N, D, b.ln.data(),
                           b.mean.data(), b.rstd.data());
  apply(transform, b.ln, N, D);
  train::linear_forward(b.ln.data(), param(m, p + "mlp.c_fc.weight"), nullptr, N, D, F, b.fc_pre.data(), false);
  train::bias_gelu_forward(b.fc_pre.data(), param(m, p + "mlp.c_fc.bias"), N, F, b.fc_act.data());
  apply(transform, b.fc_act, N, F);
  train::linear_forward(b.fc_act.data(), param(m, p + "mlp.c_proj.weight"), param(m, p + "mlp.c_proj.bias"), N, F, D,
                        b.x.data(), true);
}

void check_tokens(const GptModel& m, const int32_t* tokens, const int32_t* targets, int64_t batch, int64_t seq) {
  const int64_t V = m.config().vocab_size;
  OSC_CHECK_INPUT(batch > 0 && seq > 0 && seq <= m.config().context, "evaluation",
                  "batch " + std::to_string(batch) + " x seq " + std::to_string(seq) + " does not fit context " +
                      std::to_string(m.config().context));
  for (int64_t i = 0; i < batch * seq; ++i)
    OSC_CHECK_INPUT(tokens[i] >= 0 && tokens[i] < V && targets[i] >= 0 && targets[i] < V, "evaluation",
                    "token id out of range 0.." + std::to_string(V - 1));
}

}  // namespace

double evaluate_loss(const GptModel& m, const int32_t* tokens, const int32_t* targets, int64_t batch, int64_t seq,
                     const LinearInputTransform& transform) {
  check_tokens(m, tokens, targets, batch, seq);
  const train::GptConfig& c = m.config();
  const train::AttentionDims d{batch, seq, c.heads, c.d_head()};
  const int64_t N = d.rows(), D = c.dim;
  Buffers b;
  b.x = zeros(N * D), b.ln = zeros(N * D), b.mean = zeros(N), b.rstd = zeros(N);
  b.qkv = zeros(N * 3 * D), b.attn_y = zeros(N * D), b.fc_pre = zeros(N * c.d_ff()), b.fc_act = zeros(N * c.d_ff());
  b.saved.resize(d, m.variant().parts());
  train::embedding_forward(tokens, param(m, "wte.weight"), param(m, "wpe.weight"), N, seq, D, b.x.data());
  for (int64_t l = 0; l < c.layers; ++l) block_forward(m, l, d, b, transform);
  train::layernorm_forward(b.x.data(), param(m, "ln_f.weight"), param(m, "ln_f.bias"), N, D, b.ln.data(),
                           b.mean.data(), b.rstd.data());
  std::vector<float> logits = zeros(N * c.vocab_size);  // [N, V]
  train::linear_forward(b.ln.data(), param(m, "wte.weight"), nullptr, N, D, c.vocab_size, logits.data(), false);
  return train::cross_entropy(logits.data(), targets, N, c.vocab_size, 0.0f);
}

}  // namespace osc::experiment
