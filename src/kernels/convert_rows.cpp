#include "kernels/convert_rows.h"

#include "kernels/avx512_values.h"
#include "kernels/cpu_features.h"
#include "kernels/kquant_values.h"

namespace osc::kernels {
namespace {

constexpr int kLanes = 16;  // f32 lanes of a 512-bit register

// n values (rows laid end to end) read 16 at a time.
template <class Values>
OSC_AVX512 void convert_values(const uint8_t* src, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) _mm512_storeu_ps(out + i, Values::load(src, i));
  if (i == n) return;
  const auto m = static_cast<__mmask16>((1u << (n - i)) - 1);
  _mm512_mask_storeu_ps(out + i, m, Values::load_tail(src, i, m));
}

// out[16S .. 256) = values 16S .. 256 of one K-quant super-block.
template <class Values, int S>
OSC_AVX512 inline __attribute__((always_inline)) void convert_block(const uint8_t* block, const float* scales, float* out) {
  _mm512_storeu_ps(out + kLanes * S, Values::template load<S>(block, scales));
  if constexpr (kLanes * (S + 1) < kquant::kValues) convert_block<Values, S + 1>(block, scales, out);
}

// n values of whole 32-value blocks.
template <class Values>
OSC_AVX512 void convert_blocks(const uint8_t* src, int64_t n, float* out) {
  for (int64_t b = 0; b < n / Values::kBlockValues; ++b) {
    __m512 v[2];
    Values::block(src + b * Values::kBlockBytes, v);
    _mm512_storeu_ps(out + b * Values::kBlockValues, v[0]);
    _mm512_storeu_ps(out + b * Values::kBlockValues + kLanes, v[1]);
  }
}

template <class Values>
OSC_AVX512 void convert_super_blocks(const uint8_t* src, int64_t n, float* out) {
  alignas(64) float scales[Values::kScaleFloats];
  for (int64_t b = 0; b < n / kquant::kValues; ++b) {
    Values::prepare(src + b * Values::kBlockBytes, scales);
    convert_block<Values, 0>(src + b * Values::kBlockBytes, scales, out + b * kquant::kValues);
  }
}

// False when this dtype has no vectorised decoder.
bool convert_vectorised(DType dtype, const uint8_t* src, int64_t n, float* out) {
  switch (dtype) {
    case DType::BF16: convert_values<simd::Bf16Values>(src, n, out); break;
    case DType::F16: convert_values<simd::F16Values>(src, n, out); break;
    case DType::Q8_0: convert_blocks<simd::Q8_0Values>(src, n, out); break;
    case DType::Q4_0: convert_blocks<simd::Q4_0Values>(src, n, out); break;
    case DType::Q4_K: convert_super_blocks<simd::Q4_KValues>(src, n, out); break;
    case DType::Q5_K: convert_super_blocks<simd::Q5_KValues>(src, n, out); break;
    case DType::Q6_K: convert_super_blocks<simd::Q6_KValues>(src, n, out); break;
    default: return false;
  }
  return true;
}

}  // namespace

void convert_rows_to_f32(const TensorView& w, int64_t first, int64_t count, float* out) {
  const auto* src = static_cast<const uint8_t*>(w.row_ptr(first));
  if (cpu_features().avx512 && convert_vectorised(w.dtype, src, count * w.row_length(), out)) return;
  w.rows_to_f32(first, count, out);
}

}  // namespace osc::kernels
