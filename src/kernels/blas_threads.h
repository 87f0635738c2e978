// OpenBLAS thread count by problem size. Waking BLAS threads for a tiny product costs more than
// the product (and much more on a loaded machine), so small sgemm calls run on one thread and
// large ones on OpenBLAS's default count.
#pragma once
#include <cstdint>

namespace osc {

// Call before an sgemm of m·n·k multiply-adds (from the calling thread, not inside OpenMP regions).
void blas_threads_for(int64_t m, int64_t n, int64_t k);

}  // namespace osc
