#include "kernels/blas_kernels.h"

#include <cblas.h>

#include <cstdlib>
#include <cstring>

// DYNAMIC_ARCH builds of OpenBLAS export these; other BLAS builds don't, and then nothing changes.
extern "C" void gotoblas_dynamic_init() __attribute__((weak));
extern "C" void gotoblas_dynamic_quit() __attribute__((weak));

namespace osc {

void keep_blas_single_threaded() { openblas_set_num_threads(1); }

namespace {

// The best kernel family the CPU's flags allow, or nullptr when the generic one is all there is.
const char* kernels_for_this_cpu() {
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;
}

// Runs after OpenBLAS's own initialiser (shared libraries are initialised before the program) and
// before any GEMM of ours. No BLAS call is in flight, so swapping the kernel table is safe.
__attribute__((constructor)) void configure_openblas() {
  keep_blas_single_threaded();
  if (std::getenv("OPENBLAS_CORETYPE") || !gotoblas_dynamic_init || !gotoblas_dynamic_quit) return;
  if (std::strcmp(openblas_get_corename(), "Prescott") != 0) return;
  const char* kernels = kernels_for_this_cpu();
  if (!kernels) return;
  setenv("OPENBLAS_CORETYPE", kernels, 0);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");  // the environment of child processes stays as the user gave it
}

}  // namespace
}  // namespace osc

extern "C" const char* osc_blas_kernel_name() { return openblas_get_corename(); }
