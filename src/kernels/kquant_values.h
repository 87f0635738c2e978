// GGUF K-quant super-blocks (Q4_K, Q5_K, Q6_K: 256 values) decoded to f32 in AVX-512 registers,
// 16 values at a time, at the bit positions core/dequant_layout.h defines. The packed sub-block
// scales are unpacked once per block: prepare(block, s) writes them to s as f32, then load<S>(block,
// s) gives values 16S .. 16S + 15 as one register, each d * scale * q - dmin * min (Q4_K / Q5_K)
// or d * scale * (q - 32) (Q6_K), computed with one FMA: the values core/dequant computes, up to
// the rounding of that FMA against a multiply and a subtraction.
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "core/dequant_layout.h"
#include "kernels/avx512_values.h"

namespace osc::kernels::simd {

// 16 bytes from p, zero-extended to 32-bit lanes.
OSC_AVX512 inline __m512i bytes16(const uint8_t* p) {
  return _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Each lane shifted so that its bit From moves to bit To.
template <int From, int To>
OSC_AVX512 inline __m512i move_bits(__m512i v) {
  if constexpr (From < To) return _mm512_maskz_slli_epi32(0xFFFF, v, To - From);
  else if constexpr (From > To) return _mm512_maskz_srli_epi32(0xFFFF, v, From - To);
  else return v;
}

// The 4-bit field at bit Shift (0 or 4) of bytes in 32-bit lanes.
template <int Shift>
OSC_AVX512 inline __m512i nibble(__m512i bytes) {
  if constexpr (Shift == 4) return _mm512_maskz_srli_epi32(0xFFFF, bytes, 4);  // the byte's top: no mask needed
  else return _mm512_maskz_and_epi32(0xFFFF, bytes, _mm512_set1_epi32(0x0F));
}

// low | (high & mask), one vpternlogd (truth table A | (B & C)).
OSC_AVX512 inline __m512i or_masked(__m512i low, __m512i high, int mask) {
  return _mm512_maskz_ternarylogic_epi32(0xFFFF, low, high, _mm512_set1_epi32(mask), 0xF8);
}

// q * s[j] + s[offset + j] for integer lanes q.
OSC_AVX512 inline __m512 scale_values(__m512i q, const float* s, int j, int offset) {
  return _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, q), _mm512_set1_ps(s[j]), _mm512_set1_ps(s[offset + j]));
}

OSC_AVX512 inline float half_at(const uint8_t* p) {
  uint16_t h;
  __builtin_memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}

// Rows per group in the stream kernel for a tile of T tokens (the other types: up to 24 / T, at
// most 8): 8 at T = 1 (Q5_K: 4, below), then at most 4 rows and 12 accumulators, as the decoders
// need registers of their own. Measured against 8 rows (16, 24 accumulators) at T = 2, 3, 4, 6, in GB/s: Q4_K 8.8 ->
// 13.6 (4 rows), 6.8 -> 9.2, 6.1 -> 6.3, 4.7 -> 4.4; Q6_K 7.6 -> 9.7, 6.1 -> 8.2, 5.3 -> 7.2, 4.0 -> 5.1.
constexpr int kquant_rows(int tile_tokens) { return tile_tokens == 1 ? 8 : (tile_tokens <= 3 ? 4 : 12 / tile_tokens); }

// Q4_K (FiveBit false) and Q5_K (true). s: d * scale_j for the 8 sub-blocks j, then -dmin * min_j.
template <bool FiveBit>
struct Q45KValues {
  using Layout = kquant::Q45K;
  static constexpr int kBlockBytes = FiveBit ? 176 : 144;
  // How far ahead in each row the stream kernel prefetches (0: not at all). Measured at T = 1:
  // prefetching 1 or 2 KiB ahead slowed Q4_K (16.4 -> 13.5 GB/s) and did not help Q5_K.
  static constexpr int kPrefetchBytes = 0;
  // Q5_K takes 4 rows at T = 1: with 8, its two value tables per row (16 registers) and the 8
  // accumulators spilled (3.6 register moves and 1.4 stores per 32 values in the hot loop,
  // bench/hot_loop_mix.py); 4 rows measured 9.5 -> 14.6 GB/s. Q4_K with 4 rows: no faster.
  static constexpr int rows(int tile_tokens) { return FiveBit && tile_tokens == 1 ? 4 : kquant_rows(tile_tokens); }
  static constexpr int kScaleFloats = 16;
  // The order of the steps: S and S + 2 read the same bytes of qs (low and high nibbles).
  static constexpr int step(int p) { return p / 4 * 4 + p % 2 * 2 + p % 4 / 2; }

  // The 8 scales and 8 mins of kquant::k4_scale_min, unpacked in registers (lane j: scale_j, lane
  // 8 + j: min_j): a scalar unpacking, stored and reloaded as a vector, cost about as much as
  // decoding the block's 256 values. Lane by lane, the low bits are byte A of the 12 packed bytes
  // shifted and masked, the top two bits (sub-blocks 4..7) bits 6..7 of byte B moved to bits 4..5.
  static OSC_AVX512 inline void prepare(const uint8_t* block, float* s) {
    const __m512i packed = bytes16(block + Layout::kScales);  // the 12 bytes, then 4 bytes of the block
    const __m512i a = _mm512_maskz_permutexvar_epi32(0xFFFF, _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11), packed);
    const __m512i b = _mm512_maskz_permutexvar_epi32(0xFFFF, _mm512_setr_epi32(0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 7), packed);
    const __m512i low = _mm512_maskz_and_epi32(
        0xFFFF, _mm512_maskz_srlv_epi32(0xFFFF, a, _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4)),
        _mm512_setr_epi32(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15));
    const __m512i top = _mm512_setr_epi32(0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30);
    // low | (b >> 2 & top): vpternlogd's A | (B & C)
    const __m512i q = _mm512_maskz_ternarylogic_epi32(0xFFFF, low, _mm512_maskz_srli_epi32(0xFFFF, b, 2), top, 0xF8);
    const __m512 d = _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(half_at(block + Layout::kD)),
                                          _mm512_set1_ps(-half_at(block + Layout::kDmin)));
    _mm512_storeu_ps(s, _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, q), d));
  }

  template <int S>
  static OSC_AVX512 inline __m512 load(const uint8_t* block, const float* s) {
    constexpr kquant::BitField low = Layout::nibble(16 * S, FiveBit);
    constexpr int j = Layout::sub_block(16 * S);
    if constexpr (FiveBit) {
      // Q5_K: the sub-block's 32 possible values in two registers, looked up by the 5-bit q with
      // vpermt2ps (it reads the low 5 bits of each lane): bit 4 of the nibble's lane is replaced
      // by the fifth bit (one vpternlogd, C ? B : A), the bits above are ignored.
      constexpr kquant::BitField fifth = Layout::fifth_bit(16 * S);
      const __m512 low_values = scale_values(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), s, j, 8);
      const __m512 high_values = scale_values(_mm512_setr_epi32(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31), s, j, 8);
      const __m512i bytes = bytes16(block + low.byte);
      const __m512i nibble = low.shift ? _mm512_maskz_srli_epi32(0xFFFF, bytes, 4) : bytes;
      // A variable, not an argument: clang's intrinsic is a macro, and the template's comma would split it.
      const __m512i fifth_bit = move_bits<fifth.shift, 4>(bytes16(block + fifth.byte));
      const __m512i q = _mm512_maskz_ternarylogic_epi32(0xFFFF, nibble, fifth_bit, _mm512_set1_epi32(0x10), 0xD8);
      return _mm512_maskz_permutex2var_ps(0xFFFF, low_values, q, high_values);
    } else {
      // Q4_K: the sub-block's 16 possible values (the same FMA on q = 0 .. 15), looked up by
      // nibble: vpermps reads the low 4 bits of each lane, so the low nibble needs no mask and no
      // conversion to f32 is left.
      const __m512 values = scale_values(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), s, j, 8);
      const __m512i bytes = bytes16(block + low.byte);
      return _mm512_maskz_permutexvar_ps(0xFFFF, low.shift ? _mm512_maskz_srli_epi32(0xFFFF, bytes, 4) : bytes, values);
    }
  }
};

using Q4_KValues = Q45KValues<false>;
using Q5_KValues = Q45KValues<true>;

// Q6_K. s: d * scales[j] for the 16 sub-blocks j, then -32 times that (exact: a power of two), so
// that q * s + (-32 s) is (q - 32) * s rounded once, as core/dequant computes it.
struct Q6_KValues {
  using Layout = kquant::Q6K;
  static constexpr int kBlockBytes = 210;
  // Prefetching 1 KiB ahead in each row: 7.9 -> 10.2 GB/s at T = 1 (the hardware prefetcher
  // alone left the loads waiting).
  static constexpr int kPrefetchBytes = 1024;
  static constexpr int rows(int tile_tokens) { return kquant_rows(tile_tokens); }
  static constexpr int kScaleFloats = 32;
  // The order of the steps: S, S + 2, S + 4, S + 6 read the same bytes of ql and qh.
  static constexpr int step(int p) { return p / 8 * 8 + p % 4 * 2 + p % 8 / 4; }

  static OSC_AVX512 inline void prepare(const uint8_t* block, float* s) {
    const __m512i scales = _mm512_maskz_cvtepi8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + Layout::kScales)));
    const __m512 sd = _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, scales), _mm512_set1_ps(half_at(block + Layout::kD)));
    _mm512_storeu_ps(s, sd);
    _mm512_storeu_ps(s + 16, _mm512_mul_ps(sd, _mm512_set1_ps(-static_cast<float>(Layout::kOffset))));
  }

  template <int S>
  static OSC_AVX512 inline __m512 load(const uint8_t* block, const float* s) {
    constexpr kquant::BitField low = Layout::low_bits(16 * S), high = Layout::high_bits(16 * S);
    const __m512i q = or_masked(nibble<low.shift>(bytes16(block + low.byte)),
                                move_bits<high.shift, 4>(bytes16(block + high.byte)), 0x30);
    return scale_values(q, s, Layout::sub_block(16 * S), 16);
  }
};

// Whether Values decodes whole K-quant super-blocks (prepare / load<S>) rather than load(row, k).
template <class Values>
concept SuperBlockValues = requires { Values::kScaleFloats; };

}  // namespace osc::kernels::simd
