/* The machine's measured memory bandwidth: STREAM's triad a[i] = b[i] + s * c[i] over three arrays
 * of N doubles (default 2^25, 256 MiB each, far past any cache) on T threads (default 2). Counts
 * 3 x 8 bytes per element as STREAM does (the write-allocate read of a[] is not counted), and prints
 * the best of 10 runs in GB/s (1e9 bytes), per wall second and per CPU-second of the process divided
 * by the threads (the figure to use on a machine shared with other jobs, as matmul_bench's
 * OSC_BENCH_CPU_TIME). The kernel benchmarks state their GB/s as a share of it.
 *   gcc -O2 -march=native -fopenmp bench/stream_triad.c -o stream_triad && ./stream_triad [threads] [log2 N] */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char** argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 2;
  const long n = 1L << (argc > 2 ? atoi(argv[2]) : 25);
  double* a = malloc(n * sizeof(double));
  double* b = malloc(n * sizeof(double));
  double* c = malloc(n * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "stream_triad: cannot allocate 3 x %ld doubles\n", n);
    return 2;
  }
  /* First touch on the threads that use the pages later. */
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long i = 0; i < n; ++i) a[i] = 0.0, b[i] = 1.0, c[i] = 2.0;
  double best = 1e30, best_cpu = 1e30;
  for (int run = 0; run < 10; ++run) {
    const double start = omp_get_wtime();
    const clock_t cpu_start = clock();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < n; ++i) a[i] = b[i] + 3.0 * c[i];
    const double seconds = omp_get_wtime() - start;
    const double cpu_seconds = (double)(clock() - cpu_start) / CLOCKS_PER_SEC / threads;
    if (seconds < best) best = seconds;
    if (cpu_seconds < best_cpu) best_cpu = cpu_seconds;
  }
  printf("%.1f GB/s triad on %d threads per wall second, %.1f GB/s per CPU-second / threads (%ld MiB per array, checksum %.0f)\n",
         3.0 * 8 * n / best / 1e9, threads, 3.0 * 8 * n / best_cpu / 1e9, n * 8 >> 20, a[n / 2]);
  return 0;
}
