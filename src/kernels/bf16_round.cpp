#include "kernels/bf16_round.h"

namespace osc {

void round_to_bf16(float* x, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 262144)
  for (int64_t i = 0; i < n; ++i) x[i] = round_bf16(x[i]);
}

}  // namespace osc
