#include "kernels/stream_matmul.h"

#include <immintrin.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/dequant.h"
#include "core/error.h"
#include "kernels/cpu_features.h"

// Every function that touches AVX-512 intrinsics carries this, so the file compiles the same with
// and without -march=native; nothing here runs unless cpu_features().avx512.
#define OSC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,fma,f16c")))

namespace osc::kernels {
namespace {

constexpr int kLanes = 16;           // f32 lanes of a 512-bit register
constexpr int kMaxTileTokens = 6;    // tokens per tile: 6 x 4 rows fill the accumulators (7 or 8 would leave room for 2 or 3 rows)
constexpr int kAccumulators = 24;    // of the 32 vector registers; the rest hold weights and activations

// One register of 16 stored values widened to f32: w[k .. k + 16) of a row, or the first n < 16 of
// them (the rest zero) at the end of a row whose length is not a multiple of 16.
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

// GGUF Q8_0 {f16 d; i8 q[32]}, decoded in registers: d * q as core/dequant computes it. Rows are
// whole blocks, so a 16-value step never straddles a block and there is no tail.
struct Q8_0Values {
  static OSC_AVX512 inline __m512 load(const void* row, int64_t k) {
    const uint8_t* block = static_cast<const uint8_t*>(row) + (k / 32) * 34;
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 2 + k % 32));
    return _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_maskz_cvtepi8_epi32(0xFFFF, q)), block_scale(block));
  }
  static OSC_AVX512 inline __m512 load_tail(const void* row, int64_t k, __mmask16) { return load(row, k); }
};

// GGUF Q4_0 {f16 d; u8 qs[16]}: value j is the low nibble of qs[j], value j + 16 the high one;
// decoded in registers as d * (nibble - 8).
struct Q4_0Values {
  static OSC_AVX512 inline __m512 load(const void* row, int64_t k) {
    const uint8_t* block = static_cast<const uint8_t*>(row) + (k / 32) * 18;
    const __m512i bytes = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 2)));
    const __m512i nibbles = k % 32 == 0 ? _mm512_maskz_and_epi32(0xFFFF, bytes, _mm512_set1_epi32(15))
                                        : _mm512_maskz_srli_epi32(0xFFFF, bytes, 4);
    const __m512 q = _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_maskz_sub_epi32(0xFFFF, nibbles, _mm512_set1_epi32(8)));
    return _mm512_mul_ps(q, block_scale(block));
  }
  static OSC_AVX512 inline __m512 load_tail(const void* row, int64_t k, __mmask16) { return load(row, k); }
};

// The sum of the 16 lanes. Throughout this file the all-lanes masked (maskz) forms of intrinsics
// stand in for the plain ones: GCC 12's plain forms start from an "undefined" register that
// -Wuninitialized reports once inlined.
OSC_AVX512 inline float lane_sum(__m512 v) {
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xFFFF, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xFFFF, v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xFFFF, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(0xFFFF, v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_cvtss_f32(v);
}

// acc[r][t] += w[r, k .. k + 16) * x[t, k .. k + 16) (only the lanes of m when Tail).
template <class Values, int R, int TT, bool Tail>
OSC_AVX512 inline __attribute__((always_inline)) void step(__m512 (&acc)[R][TT], const uint8_t* w, int64_t row_bytes,
                                                           int64_t in, const float* x, int64_t k, __mmask16 m) {
  __m512 xv[TT];
#pragma GCC unroll 8
  for (int t = 0; t < TT; ++t) {
    xv[t] = Tail ? _mm512_maskz_loadu_ps(m, x + t * in + k) : _mm512_loadu_ps(x + t * in + k);
    // Keeps x in a register: GCC would otherwise fold the load into each of the R FMAs as a memory
    // operand, R x TT loads a step instead of R + TT, and the kernel would run at the load ports' pace.
    asm("" : "+v"(xv[t]));
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const __m512 wv = Tail ? Values::load_tail(w + r * row_bytes, k, m) : Values::load(w + r * row_bytes, k);
#pragma GCC unroll 8
    for (int t = 0; t < TT; ++t) acc[r][t] = _mm512_fmadd_ps(wv, xv[t], acc[r][t]);
  }
}

// y[t, r] (t < TT, r < R) = x[t, :] · w[r, :] for R weight rows row_bytes apart. R x TT f32
// accumulators live in registers for the whole row; each weight register is loaded (and widened)
// once and used TT times, each activation register once for R rows.
template <class Values, int R, int TT>
OSC_AVX512 void tile(const uint8_t* w, int64_t row_bytes, int64_t in, const float* x, float* y, int64_t ldy) {
  __m512 acc[R][TT];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int t = 0; t < TT; ++t) acc[r][t] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + kLanes <= in; k += kLanes) step<Values, R, TT, false>(acc, w, row_bytes, in, x, k, 0xFFFF);
  if (k < in) step<Values, R, TT, true>(acc, w, row_bytes, in, x, k, static_cast<__mmask16>((1u << (in - k)) - 1));
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int t = 0; t < TT; ++t) y[t * ldy + r] = lane_sum(acc[r][t]);
}

// Rows per group for a tile of TT tokens: as many as the accumulator registers allow (R x TT
// accumulators plus TT activations and one weight register within the 32), at most 8.
constexpr int rows_for(int tile_tokens) { return std::min(8, std::min(kAccumulators, 31 - tile_tokens) / tile_tokens); }

// y[:TT, first:end] for one token tile: full groups of rows_for(TT) rows, then single rows.
template <class Values, int TT>
OSC_AVX512 void tile_rows(const uint8_t* w, int64_t row_bytes, int64_t in, const float* x, int64_t first,
                          int64_t end, float* y, int64_t ldy) {
  constexpr int R = rows_for(TT);
  int64_t o = first;
  for (; o + R <= end; o += R) tile<Values, R, TT>(w + o * row_bytes, row_bytes, in, x, y + o, ldy);
  for (; o < end; ++o) tile<Values, 1, TT>(w + o * row_bytes, row_bytes, in, x, y + o, ldy);
}

template <class Values>
OSC_AVX512 void token_tile(int tokens, const uint8_t* w, int64_t row_bytes, int64_t in, const float* x,
                           int64_t first, int64_t end, float* y, int64_t ldy) {
  switch (tokens) {
    case 1: return tile_rows<Values, 1>(w, row_bytes, in, x, first, end, y, ldy);
    case 2: return tile_rows<Values, 2>(w, row_bytes, in, x, first, end, y, ldy);
    case 3: return tile_rows<Values, 3>(w, row_bytes, in, x, first, end, y, ldy);
    case 4: return tile_rows<Values, 4>(w, row_bytes, in, x, first, end, y, ldy);
    case 5: return tile_rows<Values, 5>(w, row_bytes, in, x, first, end, y, ldy);
    case 6: return tile_rows<Values, 6>(w, row_bytes, in, x, first, end, y, ldy);
    default: throw_internal("stream_matmul", "token tile of " + std::to_string(tokens) + " tokens");
  }
}

// Splits the tokens into near-equal tiles of at most 6 (9 tokens: 5 + 4, not 6 + 3). Rows are
// blocked outermost so that a block's weights, read from memory by the first tile, are still in
// cache for the others.
template <class Values>
OSC_AVX512 void rows_by_token_tiles(const float* x, int64_t tokens, const uint8_t* w, int64_t row_bytes, int64_t in,
                                    int64_t first, int64_t end, float* y, int64_t ldy) {
  const int64_t tiles = (tokens + kMaxTileTokens - 1) / kMaxTileTokens;
  // 64 rows of 4096 bf16 values are 512 KiB: within L2 while the token tiles go over them.
  constexpr int64_t kRowBlock = 64;
  for (int64_t block = first; block < end; block += kRowBlock) {
    const int64_t block_end = std::min(end, block + kRowBlock);
    for (int64_t i = 0, t0 = 0; i < tiles; ++i) {
      const int64_t t1 = tokens * (i + 1) / tiles;
      token_tile<Values>(static_cast<int>(t1 - t0), w, row_bytes, in, x + t0 * in, block, block_end, y + t0 * ldy, ldy);
      t0 = t1;
    }
  }
}

// The other GGUF blocks (the K-quants, with packed sub-block scales): 8 rows at a time decoded by
// core/dequant into a buffer that stays in L2 (exactly the dequantized weights), then the f32
// kernel on it.
OSC_AVX512 void quantized_rows(const float* x, int64_t tokens, const TensorView& w, int64_t first, int64_t end,
                               float* y) {
  constexpr int64_t kDecodedRows = 8;
  const int64_t in = w.row_length(), out = w.rows();
  thread_local std::vector<float> decoded;
  decoded.resize(static_cast<size_t>(kDecodedRows * in));
  for (int64_t o = first; o < end; o += kDecodedRows) {
    const int64_t count = std::min(kDecodedRows, end - o);
    for (int64_t r = 0; r < count; ++r) dequantize_row(w.dtype, w.row_ptr(o + r), decoded.data() + r * in, in);
    rows_by_token_tiles<F32Values>(x, tokens, reinterpret_cast<const uint8_t*>(decoded.data()), in * 4, in, 0, count,
                                   y + o, out);
  }
}

OSC_AVX512 void convert_16bit(bool bf16, const uint16_t* src, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    _mm512_storeu_ps(out + i, bf16 ? Bf16Values::load(src, i) : F16Values::load(src, i));
  if (i == n) return;
  const auto m = static_cast<__mmask16>((1u << (n - i)) - 1);
  _mm512_mask_storeu_ps(out + i, m, bf16 ? Bf16Values::load_tail(src, i, m) : F16Values::load_tail(src, i, m));
}

}  // namespace

bool stream_matmul_available(DType dtype) {
  if (!cpu_features().avx512) return false;
  switch (dtype) {
    case DType::F32:
    case DType::BF16:
    case DType::F16: return true;
    default: return dtype_is_quantized(dtype);
  }
}

void stream_matmul_rows(const float* x, int64_t tokens, const TensorView& w, int64_t first, int64_t end, float* y) {
  if (!stream_matmul_available(w.dtype))
    throw_internal("stream_matmul", "no streaming kernel for " + std::string(dtype_name(w.dtype)) + " on this CPU");
  const int64_t in = w.row_length(), out = w.rows();
  const auto* bytes = static_cast<const uint8_t*>(w.data);
  const auto row_bytes = static_cast<int64_t>(w.row_bytes());
  switch (w.dtype) {
    case DType::F32: return rows_by_token_tiles<F32Values>(x, tokens, bytes, row_bytes, in, first, end, y, out);
    case DType::BF16: return rows_by_token_tiles<Bf16Values>(x, tokens, bytes, row_bytes, in, first, end, y, out);
    case DType::F16: return rows_by_token_tiles<F16Values>(x, tokens, bytes, row_bytes, in, first, end, y, out);
    case DType::Q8_0: return rows_by_token_tiles<Q8_0Values>(x, tokens, bytes, row_bytes, in, first, end, y, out);
    case DType::Q4_0: return rows_by_token_tiles<Q4_0Values>(x, tokens, bytes, row_bytes, in, first, end, y, out);
    default: return quantized_rows(x, tokens, w, first, end, y);
  }
}

void convert_rows_to_f32(const TensorView& w, int64_t first, int64_t count, float* out) {
  const bool plain16 = w.dtype == DType::BF16 || w.dtype == DType::F16;
  if (!plain16 || !cpu_features().avx512) return w.rows_to_f32(first, count, out);
  const int64_t in = w.row_length();
  convert_16bit(w.dtype == DType::BF16, reinterpret_cast<const uint16_t*>(w.row_ptr(first)), count * in, out);
}

}  // namespace osc::kernels
