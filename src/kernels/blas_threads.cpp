#include "kernels/blas_threads.h"

#include <cblas.h>

namespace osc {
namespace {

// Below about 4M multiply-adds (e.g. [128, 64] x [64, 128]) one thread is faster.
constexpr int64_t kThreadedWork = int64_t{1} << 22;

}  // namespace

void blas_threads_for(int64_t m, int64_t n, int64_t k) {
  static const int default_threads = openblas_get_num_threads();
  static int current = default_threads;
  const int wanted = m * n * k < kThreadedWork ? 1 : default_threads;
  if (wanted == current) return;
  openblas_set_num_threads(wanted);
  current = wanted;
}

}  // namespace osc
