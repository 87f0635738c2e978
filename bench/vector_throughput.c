/* Instructions per cycle, one thread, of the AVX-512 instructions the stream kernel's block
 * decoders are made of (src/kernels/avx512_values.h, kquant_values.h): how many of each one core
 * retires per cycle when nothing else limits it. Each case runs 12 independent chains (each
 * instruction writes the register it reads, so a long latency cannot hide behind the other chains'
 * work only when it exceeds 12 throughput slots); load forms read one hot cache line. Cycles come
 * from a chain of dependent integer adds (one per cycle), timed on the thread's CPU clock, so a
 * busy machine slows the run but not the figures. docs/benchmarks.md, "One token, 4-6-bit types".
 *   gcc -O2 -march=native bench/vector_throughput.c -o vector_throughput && ./vector_throughput */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double thread_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { kIterations = 20000000, kChains = 12 };
static const uint8_t kBytes[64] __attribute__((aligned(64))) = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* One case: instructions A and B alternating over the 12 chains, %%zmmN / %%xmmN standing for
 * chain N's register; A and B the same for one kind alone. Two kinds that share pipes retire no
 * more together than either alone; kinds on separate pipes add up. */
#define CHAINS(A, B) A(0) B(1) A(2) B(3) A(4) B(5) A(6) B(7) A(8) B(9) A(10) B(11)
#define CLOBBERS                                                                                  \
  "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", "zmm9", "zmm10", "zmm11", \
      "zmm12", "zmm13", "zmm14"
#define CASE2(NAME, A, B)                                                                         \
  static double NAME(void) {                                                                      \
    const double start = thread_seconds();                                                        \
    for (long n = 0; n < kIterations; ++n)                                                        \
      __asm__ volatile(CHAINS(A, B) : : "r"(kBytes) : CLOBBERS);                                  \
    return thread_seconds() - start;                                                              \
  }
#define CASE(NAME, INSN) CASE2(NAME, INSN, INSN)

#define FMA(i) "vfmadd231ps %%zmm12, %%zmm13, %%zmm" #i "\n"
#define PERMPS(i) "vpermps %%zmm" #i ", %%zmm12, %%zmm" #i "\n"
#define PERMT2PS(i) "vpermt2ps %%zmm13, %%zmm12, %%zmm" #i "\n"
#define MOVZXBD_MEM(i) "vpmovzxbd (%0), %%zmm" #i "\n"
#define MOVZXBD_REG(i) "vpmovzxbd %%xmm" #i ", %%zmm" #i "\n"
#define SRLD(i) "vpsrld $4, %%zmm" #i ", %%zmm" #i "\n"
#define TERNLOG(i) "vpternlogd $0xF8, %%zmm13, %%zmm12, %%zmm" #i "\n"
#define CVTDQ2PS(i) "vcvtdq2ps %%zmm" #i ", %%zmm" #i "\n"
#define MULPS(i) "vmulps %%zmm12, %%zmm" #i ", %%zmm" #i "\n"
#define BROADCASTSS(i) "vbroadcastss %%xmm" #i ", %%zmm" #i "\n"
#define CVTPH2PS(i) "vcvtph2ps %%xmm" #i ", %%xmm" #i "\n"
#define PINSRW_MEM(i) "vpinsrw $0, (%0), %%xmm14, %%xmm" #i "\n"

CASE(fmadd, FMA)
CASE(permps, PERMPS)
CASE(permt2ps, PERMT2PS)
CASE(movzxbd_mem, MOVZXBD_MEM)
CASE(movzxbd_reg, MOVZXBD_REG)
CASE(srld, SRLD)
CASE(ternlog, TERNLOG)
CASE(cvtdq2ps, CVTDQ2PS)
CASE(mulps, MULPS)
CASE(broadcastss, BROADCASTSS)
CASE(cvtph2ps, CVTPH2PS)
CASE(pinsrw_mem, PINSRW_MEM)
CASE2(fmadd_permps, FMA, PERMPS)
CASE2(fmadd_cvtdq2ps, FMA, CVTDQ2PS)
CASE2(fmadd_srld, FMA, SRLD)
CASE2(fmadd_movzxbd, FMA, MOVZXBD_MEM)
CASE2(permps_movzxbd, PERMPS, MOVZXBD_MEM)
CASE2(permps_srld, PERMPS, SRLD)
CASE2(permps_broadcastss, PERMPS, BROADCASTSS)
CASE2(cvtdq2ps_movzxbd, CVTDQ2PS, MOVZXBD_MEM)
CASE2(srld_movzxbd, SRLD, MOVZXBD_MEM)

/* Seconds per cycle: kIterations x 48 dependent adds, one per cycle. */
static double cycle_seconds(void) {
  uint64_t v = 0;
  const double start = thread_seconds();
  for (long n = 0; n < kIterations; ++n)
    __asm__ volatile(
        "add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n"
        "add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n"
        "add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n"
        "add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n"
        "add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n"
        "add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n add $1, %0\n"
        : "+r"(v));
  return (thread_seconds() - start) / (48.0 * kIterations);
}

int main(void) {
  __asm__ volatile("vpxord %%zmm12, %%zmm12, %%zmm12\n vpxord %%zmm13, %%zmm13, %%zmm13" : : : "zmm12", "zmm13");
  const double cycle = cycle_seconds();
  printf("clock: %.2f GHz (dependent integer adds)\n", 1e-9 / cycle);
  const struct {
    const char* name;
    double (*run)(void);
  } cases[] = {{"vfmadd231ps zmm", fmadd},         {"vmulps zmm", mulps},
               {"vcvtdq2ps zmm", cvtdq2ps},       {"vpermps zmm", permps},
               {"vpermt2ps zmm", permt2ps},       {"vpmovzxbd zmm, m128", movzxbd_mem},
               {"vpmovzxbd zmm, xmm", movzxbd_reg}, {"vpsrld zmm, imm", srld},
               {"vpternlogd zmm", ternlog},       {"vbroadcastss zmm, xmm", broadcastss},
               {"vcvtph2ps xmm, xmm", cvtph2ps},  {"vpinsrw xmm, m16", pinsrw_mem},
               {"vfmadd231ps + vpermps", fmadd_permps}, {"vfmadd231ps + vcvtdq2ps", fmadd_cvtdq2ps},
               {"vfmadd231ps + vpsrld", fmadd_srld}, {"vfmadd231ps + vpmovzxbd", fmadd_movzxbd},
               {"vpermps + vpmovzxbd", permps_movzxbd}, {"vpermps + vpsrld", permps_srld},
               {"vpermps + vbroadcastss", permps_broadcastss}, {"vcvtdq2ps + vpmovzxbd", cvtdq2ps_movzxbd},
               {"vpsrld + vpmovzxbd", srld_movzxbd}};
  for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      const double s = cases[c].run();
      if (s < best) best = s;
    }
    printf("%-28s %5.2f per cycle\n", cases[c].name, (double)kChains * kIterations * cycle / best);
  }
  return 0;
}
