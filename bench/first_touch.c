// What mapping a model costs before any arithmetic: reads a file through a fresh read-only shared
// mapping (as outlierscope maps checkpoints) twice on THREADS threads, and prints the rate of the
// first pass (each page touched for the first time in this process: page faults, page-table
// fills, and on a virtual machine with shadow paging the hypervisor's own faults) and of the
// second (the mapping in place: memory bandwidth). With --populate the mapping is filled first by
// madvise(MADV_POPULATE_READ) (Linux >= 5.14), timed on its own.
//
// usage: gcc -O2 -march=native -fopenmp bench/first_touch.c -o first_touch
//        ./first_touch FILE [THREADS] [--populate]      (FILE in the page cache: read it once before)
#define _GNU_SOURCE
#include <fcntl.h>
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// Sum of every 64-byte line of p[0, n) as floats: one load per line, nothing the compiler can drop.
static float read_lines(const char* p, size_t n) {
  __m512 sum = _mm512_setzero_ps();
  for (size_t i = 0; i + 64 <= n; i += 64) sum = _mm512_add_ps(sum, _mm512_loadu_ps((const float*)(p + i)));
  return _mm512_reduce_add_ps(sum);
}

static float read_parallel(const char* p, size_t n) {
  float total = 0;
#pragma omp parallel reduction(+ : total)
  {
    const size_t k = (size_t)omp_get_thread_num(), m = (size_t)omp_get_num_threads();
    const size_t first = n / m * k / 64 * 64, end = k + 1 == m ? n : n / m * (k + 1) / 64 * 64;
    total += read_lines(p + first, end - first);
  }
  return total;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE [THREADS] [--populate]\n", argv[0]);
    return 2;
  }
  const int threads = argc > 2 && argv[2][0] != '-' ? atoi(argv[2]) : 1;
  const int populate = argc > 2 && strcmp(argv[argc - 1], "--populate") == 0;
  omp_set_num_threads(threads);
  const int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
    fprintf(stderr, "first_touch: cannot read %s\n", argv[1]);
    return 2;
  }
  const size_t n = (size_t)st.st_size;
  const char* p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    perror("first_touch: mmap");
    return 2;
  }
  const double t0 = seconds();
  if (populate && madvise((void*)p, n, MADV_POPULATE_READ) != 0) perror("first_touch: MADV_POPULATE_READ");
  const double t1 = seconds();
  float check = read_parallel(p, n);
  const double t2 = seconds();
  check += read_parallel(p, n);
  const double t3 = seconds();
  volatile float keep = check;  // the passes' loads must happen
  (void)keep;
  printf("%.2f GB, %d threads: populate %.2f s; first pass %.2f s = %.1f GB/s; second pass %.2f s = %.1f GB/s\n",
         1e-9 * (double)n, threads, t1 - t0, t2 - t1, 1e-9 * (double)n / (t2 - t1), t3 - t2,
         1e-9 * (double)n / (t3 - t2));
  return 0;
}
