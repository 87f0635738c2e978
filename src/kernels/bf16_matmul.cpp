#include "kernels/bf16_matmul.h"

#include "kernels/dnnl_matmul.h"
#include "kernels/matmul.h"

namespace osc {

void linear_bf16(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y) {
  if (tokens <= kStreamTokens || w.dtype != DType::BF16 || w.rank() != 2) return linear(x, tokens, w, bias, y);
  dnnl_linear_bf16(x, tokens, w, bias, y);
}

}  // namespace osc
