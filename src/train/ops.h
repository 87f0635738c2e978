// Forward and backward kernels of the non-attention ops of a GPT-2 block, on row-major
// [rows, width] activations. Backward kernels accumulate (+=) into parameter gradients; reductions
// over rows use a fixed split, so results are reproducible for a given thread count.
#pragma once
#include <cstdint>
#include <vector>

namespace osc::train {

constexpr float kLayerNormEps = 1e-5f;

// out = (x - mean) * rstd * w + b; saves mean and rstd per row ([rows]). b may be null.
void layernorm_forward(const float* x, const float* w, const float* b, int64_t rows, int64_t width, float* out,
                       float* mean, float* rstd);
// dx (+)= d(LN)/dx . dout; dw += sum dout * xhat; db += sum dout (db may be null). `scratch` is
// resized as needed (per-thread partial sums).
void layernorm_backward(const float* x, const float* w, const float* mean, const float* rstd, const float* dout,
                        int64_t rows, int64_t width, float* dx, bool accumulate_dx, float* dw, float* db,
                        std::vector<float>& scratch);

// y = x W^T + b with W [out, in]; y [rows, out]. If `accumulate`, y += (residual add).
void linear_forward(const float* x, const float* w, const float* b, int64_t rows, int64_t in, int64_t out, float* y,
                    bool accumulate);
// y = residual + x W^T + b (b may be null); the residual copy runs in the same parallel region as the product.
void linear_forward_residual(const float* x, const float* w, const float* b, const float* residual, int64_t rows,
                             int64_t in, int64_t out, float* y);
// dx (+)= dy W; dW += dy^T x; db += column sums of dy (db may be null).
void linear_backward(const float* x, const float* w, const float* dy, int64_t rows, int64_t in, int64_t out,
                     float* dx, bool accumulate_dx, float* dw, float* db, std::vector<float>& scratch);
// out[width] += column sums of x [rows, width].
void add_column_sums(const float* x, int64_t rows, int64_t width, float* out, std::vector<float>& scratch);

// GELU with the tanh approximation (GPT-2's gelu_new): out = gelu(x + bias) stored over pre, where
// pre keeps x + bias for the backward. bias may be null.
void bias_gelu_forward(float* pre, const float* bias, int64_t rows, int64_t width, float* out);
// d (in place): d <- d * gelu'(pre).
void gelu_backward(const float* pre, int64_t n, float* d);

// x[t] = wte[token[t]] + wpe[t % seq]; x [rows, dim].
void embedding_forward(const int32_t* tokens, const float* wte, const float* wpe, int64_t rows, int64_t seq,
                       int64_t dim, float* x);
void embedding_backward(const int32_t* tokens, const float* dx, int64_t rows, int64_t seq, int64_t dim, float* dwte,
                        float* dwpe);

// Mean cross-entropy of logits [rows, vocab] against targets. If dlogit_scale != 0, the logits are
// replaced in place by dlogit_scale * (softmax - onehot) (the gradient of the sum of losses).
double cross_entropy(float* logits, const int32_t* targets, int64_t rows, int64_t vocab, float dlogit_scale);

}  // namespace osc::train
