/* The machine's measured f32 FMA peak on N threads (default 2), in GFLOP/s: each thread runs 16
 * independent 512-bit FMA chains, enough to fill both FMA pipes where a core has two, unrolled so
 * that the accumulators stay in registers (a rolled loop keeps them on the stack and measures store
 * forwarding instead). The benchmark scripts divide achieved GFLOP/s by the best of three runs.
 *   gcc -O2 -march=native -fopenmp bench/fma_peak.c -o fma_peak && ./fma_peak [threads] */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 2;
  const long iters = 400000000L / 16;
  const double start = omp_get_wtime();
  float sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  {
    __m512 acc[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps((float)i);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long n = 0; n < iters; ++n) {
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) sink += _mm512_reduce_add_ps(acc[i]);
  }
  const double seconds = omp_get_wtime() - start;
  /* flops: threads x iterations x 16 chains x 16 lanes x 2 (multiply + add) */
  printf("%.1f %g\n", (double)threads * iters * 16 * 16 * 2 / seconds / 1e9, sink);
  return 0;
}
