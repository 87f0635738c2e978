// Rounding f32 activations to bf16 values (kept in f32 storage): the emulation of a bf16 forward
// pass (--compute bf16, model/compute_precision.h). Round to nearest, ties to even, NaN kept, as
// PyTorch's .to(torch.bfloat16).
#pragma once
#include <cstdint>
#include <cstring>

namespace osc {

inline float round_bf16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return x;  // NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  bits &= 0xffff0000u;
  std::memcpy(&x, &bits, 4);
  return x;
}

// x[0, n) rounded in place.
void round_to_bf16(float* x, int64_t n);

// x[0, n) rounded in place when `on` (the pass computes in bf16), else untouched.
inline void round_if(bool on, float* x, int64_t n) {
  if (on) round_to_bf16(x, n);
}

}  // namespace osc
