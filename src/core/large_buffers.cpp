#include "core/large_buffers.h"

#include <malloc.h>

namespace osc {

void keep_freed_memory_for_reuse() {
  mallopt(M_MMAP_MAX, 0);             // no per-allocation mmaps: everything from the heap
  // Never give memory back: a 1024-token GPT-2 pass with every hook captured frees about 2 GB at
  // its end, so any finite threshold (1 GiB before) let glibc trim it and the next pass faulted it
  // back in, about 500k page faults per pass.
  mallopt(M_TRIM_THRESHOLD, -1);
}

}  // namespace osc
