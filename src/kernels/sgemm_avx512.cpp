#include "kernels/sgemm_avx512.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "core/error.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace osc::kernels {

#if defined(__AVX512F__)
namespace {

constexpr int kPanel = 32;        // columns of a micro-tile: two zmm registers
constexpr int kTileRows = 12;     // rows of a micro-tile: 24 accumulators of the 32 registers
constexpr int64_t kDepth = 384;   // K block: a packed panel [kDepth, 32] stays in L1 (48 KiB)

// Copies op(B)'s rows [k0, k0 + kc) into 32-column panels: packed[p][k][j] = op(B)(k0 + k, 32 p + j),
// zero past column N, so a tile's last panel needs no special case.
void pack_b(bool trans_b, const float* B, int64_t ldb, int64_t k0, int64_t kc, int64_t N, float* packed) {
  for (int64_t j0 = 0; j0 < N; j0 += kPanel) {
    float* panel = packed + (j0 / kPanel) * kc * kPanel;
    const int64_t width = std::min<int64_t>(kPanel, N - j0);
    if (width < kPanel) std::fill(panel, panel + kc * kPanel, 0.0f);
    if (trans_b) {
      for (int64_t j = 0; j < width; ++j) {
        const float* column = B + (j0 + j) * ldb + k0;  // op(B)(., j0 + j) is a row of B
        for (int64_t k = 0; k < kc; ++k) panel[k * kPanel + j] = column[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) std::copy_n(B + (k0 + k) * ldb + j0, width, panel + k * kPanel);
    }
  }
}

// Lanes of the two registers of a tile row that hold columns < width.
struct RowMasks {
  __mmask16 low, high;
  explicit RowMasks(int width)
      : low(static_cast<__mmask16>(width >= 16 ? 0xFFFF : (1u << width) - 1)),
        high(static_cast<__mmask16>(width >= 32 ? 0xFFFF : width > 16 ? (1u << (width - 16)) - 1 : 0)) {}
};

// One row of C: c = alpha * acc + beta * c (c not read when beta == 0).
inline void store_row(float* c, __m512 low, __m512 high, float alpha, float beta, RowMasks m) {
  const __m512 a = _mm512_set1_ps(alpha);
  low = _mm512_mul_ps(a, low);
  high = _mm512_mul_ps(a, high);
  if (beta != 0.0f) {
    const __m512 b = _mm512_set1_ps(beta);
    low = _mm512_fmadd_ps(b, _mm512_maskz_loadu_ps(m.low, c), low);
    high = _mm512_fmadd_ps(b, _mm512_maskz_loadu_ps(m.high, c + 16), high);
  }
  _mm512_mask_storeu_ps(c, m.low, low);
  _mm512_mask_storeu_ps(c + 16, m.high, high);
}

// C[R, width] = alpha * A_tile [R, kc] . panel [kc, 32] + beta * C, where A_tile(r, k) is
// a[r * row_stride + k * depth_stride]: each element is broadcast from memory, so A is never copied.
template <int R>
void micro_tile(int64_t kc, const float* a, int64_t row_stride, int64_t depth_stride, const float* panel, float* c,
                int64_t ldc, int width, float alpha, float beta) {
  __m512 acc[R][2];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b_low = _mm512_loadu_ps(panel + k * kPanel);
    const __m512 b_high = _mm512_loadu_ps(panel + k * kPanel + 16);
    const float* ak = a + k * depth_stride;
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(ak[r * row_stride]);
      acc[r][0] = _mm512_fmadd_ps(av, b_low, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b_high, acc[r][1]);
    }
  }
  const RowMasks masks(width);
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) store_row(c + r * ldc, acc[r][0], acc[r][1], alpha, beta, masks);
}

using MicroTile = void (*)(int64_t, const float*, int64_t, int64_t, const float*, float*, int64_t, int, float, float);

template <size_t... Rows>
constexpr std::array<MicroTile, sizeof...(Rows)> micro_tiles(std::index_sequence<Rows...>) {
  return {&micro_tile<static_cast<int>(Rows) + 1>...};
}
// kMicroTiles[r - 1] handles r rows (the last, partial tile of M uses a smaller one).
constexpr auto kMicroTiles = micro_tiles(std::make_index_sequence<kTileRows>{});

}  // namespace

bool sgemm_avx512_available() {
  static const bool available = __builtin_cpu_supports("avx512f");
  return available;
}

void sgemm_avx512(Triangle triangle, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  const int64_t row_stride = trans_a ? 1 : lda, depth_stride = trans_a ? lda : 1;
  const int64_t panels = (N + kPanel - 1) / kPanel;
  thread_local std::vector<float> packed;
  for (int64_t k0 = 0; k0 < K || k0 == 0; k0 += kDepth) {
    const int64_t kc = std::min(kDepth, K - k0);
    packed.resize(static_cast<size_t>(std::max<int64_t>(kc, 1) * panels * kPanel));
    pack_b(trans_b, B, ldb, k0, kc, N, packed.data());
    for (int64_t p = 0; p < panels; ++p) {
      const float* panel = packed.data() + p * kc * kPanel;
      const int width = static_cast<int>(std::min<int64_t>(kPanel, N - p * kPanel));
      const int64_t first_row = triangle == Triangle::lower_c ? p * kPanel / kTileRows * kTileRows : 0;
      for (int64_t i0 = first_row; i0 < M; i0 += kTileRows) {
        const int rows = static_cast<int>(std::min<int64_t>(kTileRows, M - i0));
        // The tile's depth range within this block: [k_begin, k_end) of [k0, k0 + kc).
        int64_t k_begin = k0, k_end = k0 + kc;
        if (triangle == Triangle::lower_a) k_end = std::min(k_end, i0 + rows);
        if (triangle == Triangle::upper_a) k_begin = std::max(k_begin, i0);
        float* c = C + i0 * ldc + p * kPanel;
        const float tile_beta = k0 == 0 ? beta : 1.0f;
        if (k_end <= k_begin) {
          if (k0 == 0) kMicroTiles[rows - 1](0, A, row_stride, depth_stride, panel, c, ldc, width, alpha, beta);
          continue;
        }
        kMicroTiles[rows - 1](k_end - k_begin, A + i0 * row_stride + k_begin * depth_stride, row_stride,
                              depth_stride, panel + (k_begin - k0) * kPanel, c, ldc, width, alpha, tile_beta);
      }
    }
  }
}

#else

bool sgemm_avx512_available() { return false; }

void sgemm_avx512(Triangle, bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                  float, float*, int64_t) {
  throw_internal("sgemm_avx512", "this build has no AVX-512F kernel (check sgemm_avx512_available())");
}

#endif

}  // namespace osc::kernels
