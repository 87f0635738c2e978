#include "core/large_buffers.h"

#include <malloc.h>

namespace osc {

void keep_freed_memory_for_reuse() {
  mallopt(M_MMAP_MAX, 0);             // no per-allocation mmaps: everything from the heap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // give memory back only when over 1 GiB is free at the top
}

}  // namespace osc
