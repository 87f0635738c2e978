#include "train/parallel.h"

#include <omp.h>

namespace osc::train {

// Inside a region (a nested call) the work runs on the calling thread alone.
int parallel_threads() { return omp_in_parallel() ? 1 : omp_get_max_threads(); }

namespace detail {

void run_region(RegionTask task, void* context) {
  const int threads = parallel_threads();
  if (threads <= 1) return task(context, 0, 1);
#pragma omp parallel num_threads(threads)
  task(context, omp_get_thread_num(), omp_get_num_threads());
}

}  // namespace detail
}  // namespace osc::train
