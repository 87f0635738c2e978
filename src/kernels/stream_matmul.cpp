#include "kernels/stream_matmul.h"

#include <immintrin.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/avx512_values.h"
#include "kernels/convert_rows.h"
#include "kernels/cpu_features.h"
#include "kernels/kquant_values.h"

namespace osc::kernels {
namespace {

using simd::Bf16Values;
using simd::F16Values;
using simd::F32Values;
using simd::PairBlockValues;
using simd::Q4_0Values;
using simd::Q4_KValues;
using simd::Q5_KValues;
using simd::Q6_KValues;
using simd::Q8_0Values;
using simd::SuperBlockValues;

constexpr int kLanes = 16;           // f32 lanes of a 512-bit register
constexpr int kMaxTileTokens = 6;    // tokens per tile: 6 x 4 rows fill the accumulators (7 or 8 would leave room for 2 or 3 rows)
constexpr int kAccumulators = 24;    // of the 32 vector registers; the rest hold weights and activations

// The sum of the 16 lanes (maskz forms for the plain ones, as in avx512_values.h).
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

// For types that set kPrefetchBytes: the cache line of each of R rows that far ahead of value k,
// once per line (a prefetch past the end of the weights is dropped, never faults).
template <class Values, int R>
OSC_AVX512 inline __attribute__((always_inline)) void prefetch_rows(const uint8_t* w, int64_t row_bytes, int64_t k) {
  if constexpr (requires { Values::kPrefetchBytes; }) {
    constexpr int64_t kValuesPerLine = 64 / Values::kValueBytes;
    if (k % kValuesPerLine != 0) return;
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
      _mm_prefetch(reinterpret_cast<const char*>(w + r * row_bytes + k * Values::kValueBytes + Values::kPrefetchBytes), _MM_HINT_T0);
  }
}

// acc[r][t] += the 32 values of block b of each row (Q8_0, Q4_0) times x[t, 32b .. 32b + 32),
// prefetching each row Values::kPrefetchBytes ahead (as tile() does for the K-quants).
template <class Values, int R, int TT>
OSC_AVX512 inline __attribute__((always_inline)) void pair_step(__m512 (&acc)[R][TT], const uint8_t* w, int64_t row_bytes,
                                                                int64_t in, const float* x, int64_t b) {
  __m512 xv[TT][2];
#pragma GCC unroll 8
  for (int t = 0; t < TT; ++t)
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      xv[t][h] = _mm512_loadu_ps(x + t * in + Values::kBlockValues * b + kLanes * h);
      asm("" : "+v"(xv[t][h]));  // in a register, as in step()
    }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    __m512 wv[2];
    if constexpr (Values::kPrefetchBytes > 0)
      _mm_prefetch(reinterpret_cast<const char*>(w + r * row_bytes + Values::kBlockBytes * b + Values::kPrefetchBytes), _MM_HINT_T0);
    Values::block(w + r * row_bytes + Values::kBlockBytes * b, wv);
#pragma GCC unroll 8
    for (int t = 0; t < TT; ++t)
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) acc[r][t] = _mm512_fmadd_ps(wv[h], xv[t][h], acc[r][t]);
  }
}

// acc[r][t] += values 16S .. 16S + 16 of one K-quant super-block of each row (blocks: row 0's,
// rows row_bytes apart) times x[t, 16S .. 16S + 16) (x: the block's first column), for S the
// P-th step in the decoder's order (Values::step), then step P + 1: the bit positions of each
// step are constants.
template <class Values, int R, int TT, int P>
OSC_AVX512 inline __attribute__((always_inline)) void block_step(__m512 (&acc)[R][TT], const uint8_t* blocks,
                                                                 int64_t row_bytes, int64_t in, const float* x,
                                                                 const float (&scales)[R][Values::kScaleFloats]) {
  constexpr int S = Values::step(P);
  __m512 xv[TT];
#pragma GCC unroll 8
  for (int t = 0; t < TT; ++t) {
    xv[t] = _mm512_loadu_ps(x + t * in + kLanes * S);
    asm("" : "+v"(xv[t]));  // in a register, as in step()
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const __m512 wv = Values::template load<S>(blocks + r * row_bytes, scales[r]);
#pragma GCC unroll 8
    for (int t = 0; t < TT; ++t) acc[r][t] = _mm512_fmadd_ps(wv, xv[t], acc[r][t]);
  }
  if constexpr (kLanes * (P + 1) < kquant::kValues) block_step<Values, R, TT, P + 1>(acc, blocks, row_bytes, in, x, scales);
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
  if constexpr (SuperBlockValues<Values>) {
    // K-quants: rows are whole super-blocks; each row's scales are unpacked once per block.
    alignas(64) float scales[R][Values::kScaleFloats];
    for (int64_t b = 0; b < in / kquant::kValues; ++b) {
      const uint8_t* blocks = w + b * Values::kBlockBytes;
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        Values::prepare(blocks + r * row_bytes, scales[r]);
        // The cache lines of the block kPrefetchBytes further on (a prefetch past the end of the
        // weights is dropped, never faults).
        for (int line = 0; line < Values::kPrefetchBytes && line < Values::kBlockBytes; line += 64)
          _mm_prefetch(reinterpret_cast<const char*>(blocks + r * row_bytes + Values::kPrefetchBytes + line), _MM_HINT_T0);
      }
      // Makes the steps read each scale from memory as a broadcast (a load, no ALU work): GCC
      // would otherwise keep the prepared vectors in registers and broadcast each scale out of
      // them with a vpermd, two shuffles more per 16 weights.
      asm("" : "+m"(scales));
      block_step<Values, R, TT, 0>(acc, blocks, row_bytes, in, x + b * kquant::kValues, scales);
    }
  } else if constexpr (PairBlockValues<Values>) {
    for (int64_t b = 0; b < in / Values::kBlockValues; ++b) pair_step<Values, R, TT>(acc, w, row_bytes, in, x, b);
  } else {
    int64_t k = 0;
    for (; k + kLanes <= in; k += kLanes) {
      prefetch_rows<Values, R>(w, row_bytes, k);
      step<Values, R, TT, false>(acc, w, row_bytes, in, x, k, 0xFFFF);
    }
    if (k < in) step<Values, R, TT, true>(acc, w, row_bytes, in, x, k, static_cast<__mmask16>((1u << (in - k)) - 1));
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int t = 0; t < TT; ++t) y[t * ldy + r] = lane_sum(acc[r][t]);
}

// The most rows per group: 8, or Values::kMaxRows where a type sets it.
template <class Values>
constexpr int max_rows() {
  if constexpr (requires { Values::kMaxRows; }) return Values::kMaxRows;
  else return 8;
}

// Rows per group for a tile of TT tokens: Values::rows(TT) where a type sets it, else as many as
// the accumulator registers allow (R x TT accumulators plus TT activations and one weight
// register within the 32), at most max_rows.
template <class Values>
constexpr int rows_for(int tile_tokens) {
  if constexpr (requires { Values::rows(1); }) return Values::rows(tile_tokens);
  else return std::min(max_rows<Values>(), std::min(kAccumulators, 31 - tile_tokens) / tile_tokens);
}

// y[:TT, first:end] for one token tile: full groups of rows_for(TT) rows, then single rows.
template <class Values, int TT>
OSC_AVX512 void tile_rows(const uint8_t* w, int64_t row_bytes, int64_t in, const float* x, int64_t first,
                          int64_t end, float* y, int64_t ldy) {
  constexpr int R = rows_for<Values>(TT);
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

// Rows decoded once into a buffer that stays in L2, then the f32 kernel on it: for the block
// types without an in-register decoder (Q4_1, Q5_0, Q5_1, Q2_K, Q3_K: core/dequant's decoders),
// and for the K-quants when the tokens span several tiles, where decoding in registers would
// repeat the decoding for each tile (kernels/convert_rows.h decodes them vectorised).
OSC_AVX512 void decoded_rows(const float* x, int64_t tokens, const TensorView& w, int64_t first, int64_t end,
                             float* y) {
  const int64_t in = w.row_length(), out = w.rows();
  // 24 rows (whole groups of 8, 6 and 4 for every token tile) while they fit in ~640 KiB of L2.
  constexpr int64_t kDecodedBytes = 640 << 10;
  int64_t rows = 24;
  while (rows > 4 && rows * in * 4 > kDecodedBytes) rows /= 2;
  thread_local std::vector<float> decoded;
  decoded.resize(static_cast<size_t>(rows * in));
  for (int64_t o = first; o < end; o += rows) {
    const int64_t count = std::min(rows, end - o);
    convert_rows_to_f32(w, o, count, decoded.data());
    rows_by_token_tiles<F32Values>(x, tokens, reinterpret_cast<const uint8_t*>(decoded.data()), in * 4, in, 0, count,
                                   y + o, out);
  }
}

// The K-quants: decoded in registers while the tokens fit in one tile; past that, each row would be
// decoded once per tile, so rows are decoded once into a buffer instead (measured: 1.4x at 16 and
// 64 tokens, docs/benchmarks.md).
template <class Values>
OSC_AVX512 void kquant_rows(const float* x, int64_t tokens, const TensorView& w, int64_t first, int64_t end, float* y) {
  if (tokens > kMaxTileTokens) return decoded_rows(x, tokens, w, first, end, y);
  rows_by_token_tiles<Values>(x, tokens, static_cast<const uint8_t*>(w.data), static_cast<int64_t>(w.row_bytes()),
                              w.row_length(), first, end, y, w.rows());
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
    case DType::Q4_K: return kquant_rows<Q4_KValues>(x, tokens, w, first, end, y);
    case DType::Q5_K: return kquant_rows<Q5_KValues>(x, tokens, w, first, end, y);
    case DType::Q6_K: return kquant_rows<Q6_KValues>(x, tokens, w, first, end, y);
    default: return decoded_rows(x, tokens, w, first, end, y);
  }
}

}  // namespace osc::kernels
