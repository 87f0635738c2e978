// Stored weight values widened or decoded to f32 in AVX-512 registers, 16 at a time, for the
// linear-layer kernels (stream_matmul.cpp, convert_rows.cpp): load(row, k) gives values
// w[k .. k + 16) of a row, load_tail the first n < 16 of them (the rest zero) at the end of a row
// whose length is not a multiple of 16 (the block types: block(), below). Exactly the values
// core/dequant computes.
//
// Throughout, the all-lanes masked (maskz) forms of intrinsics stand in for the plain ones: GCC
// 12's plain forms start from an "undefined" register that -Wuninitialized reports once inlined.
#pragma once
#include <immintrin.h>

#include <cstdint>

// Every function that touches AVX-512 intrinsics carries this, so the file compiles the same with
// and without -march=native; nothing here runs unless cpu_features().avx512.
#define OSC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,fma,f16c")))

namespace osc::kernels::simd {

// f32 weights, loaded as they are.
struct F32Values {
  static OSC_AVX512 inline __m512 load(const void* row, int64_t k) {
    return _mm512_loadu_ps(static_cast<const float*>(row) + k);
  }
  static OSC_AVX512 inline __m512 load_tail(const void* row, int64_t k, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, static_cast<const float*>(row) + k);
  }
};

// bf16 is the top half of an f32: widening is a zero-extension and a 16-bit shift, exact.
struct Bf16Values {
  // The stream kernel prefetches each row this far ahead: 1 KiB measured 1.04-1.13x at T = 9 and
  // 0.98-1.09x at T = 1 ([11008, 4096], 2 threads, three alternating runs each; docs/benchmarks.md).
  static constexpr int kPrefetchBytes = 1024, kValueBytes = 2;
  static OSC_AVX512 inline __m512 widen(__m256i v) {
    return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xFFFF, _mm512_maskz_cvtepu16_epi32(0xFFFF, v), 16));
  }
  static OSC_AVX512 inline __m512 load(const void* row, int64_t k) {
    return widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(row) + k)));
  }
  static OSC_AVX512 inline __m512 load_tail(const void* row, int64_t k, __mmask16 m) {
    return widen(_mm256_maskz_loadu_epi16(m, static_cast<const uint16_t*>(row) + k));
  }
};

// IEEE half to f32 (vcvtph2ps), exact for every value including subnormals, inf and NaN.
struct F16Values {
  static OSC_AVX512 inline __m512 load(const void* row, int64_t k) {
    return _mm512_maskz_cvtph_ps(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(row) + k)));
  }
  static OSC_AVX512 inline __m512 load_tail(const void* row, int64_t k, __mmask16 m) {
    return _mm512_maskz_cvtph_ps(0xFFFF, _mm256_maskz_loadu_epi16(m, static_cast<const uint16_t*>(row) + k));
  }
};

// The f16 scale at the start of a 32-value GGUF block, broadcast.
OSC_AVX512 inline __m512 block_scale(const uint8_t* block) {
  uint16_t h;
  __builtin_memcpy(&h, block, 2);
  return _mm512_set1_ps(_cvtsh_ss(h));
}

// The 32-value GGUF blocks (Q8_0, Q4_0) are decoded a whole block at a time, block(b, v) giving
// values 0 .. 15 in v[0] and 16 .. 31 in v[1], so that the block's f16 scale is converted and
// broadcast once per 32 values. Rows are whole blocks: no tail.

// GGUF Q8_0 {f16 d; i8 q[32]}: d * q as core/dequant computes it.
struct Q8_0Values {
  static constexpr int kBlockValues = 32, kBlockBytes = 34;
  // How far ahead in each row the stream kernel prefetches: 1 KiB measured 17.3 -> 19.8 GB/s at T = 1.
  static constexpr int kPrefetchBytes = 1024;
  // Rows per group in the stream kernel (8 for the other types): more loads in flight at T <= 2.
  static constexpr int kMaxRows = 16;
  static OSC_AVX512 inline void block(const uint8_t* b, __m512 (&v)[2]) {
    const __m512 d = block_scale(b);
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 2 + 16 * h));
      v[h] = _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_maskz_cvtepi8_epi32(0xFFFF, q)), d);
    }
  }
};

// GGUF Q4_0 {f16 d; u8 qs[16]}: value j is the low nibble of qs[j], value j + 16 the high one,
// d * (nibble - 8). The block's 16 possible values are computed once (the same products) and
// looked up by nibble: vpermps reads the low 4 bits of each lane, so the low nibbles need no mask
// and no conversion to f32 is left.
struct Q4_0Values {
  static constexpr int kBlockValues = 32, kBlockBytes = 18;
  static constexpr int kPrefetchBytes = 0;  // prefetching 1 KiB ahead measured no faster at T = 1
  static OSC_AVX512 inline void block(const uint8_t* b, __m512 (&v)[2]) {
    const __m512 values = _mm512_mul_ps(_mm512_setr_ps(-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7), block_scale(b));
    const __m512i bytes = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 2)));
    v[0] = _mm512_maskz_permutexvar_ps(0xFFFF, bytes, values);
    v[1] = _mm512_maskz_permutexvar_ps(0xFFFF, _mm512_maskz_srli_epi32(0xFFFF, bytes, 4), values);
  }
};

// Whether Values decodes whole 32-value blocks (block(b, v)) rather than load(row, k).
template <class Values>
concept PairBlockValues = requires { Values::kBlockValues; };

}  // namespace osc::kernels::simd
