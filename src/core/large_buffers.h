// Keeping freed memory for reuse. A forward pass allocates and frees buffers of tens of MB (the
// [heads, T, T] attention matrices, captured hook copies); glibc serves those with fresh mmaps and
// unmaps them on free, so every pass pays one page fault per 4 KiB touched — a quarter of a
// 1024-token GPT-2 pass. Programs that run many passes (the CLI, benchmarks) call this once.
#pragma once

namespace osc {

// Large allocations come from the heap and freed memory stays mapped (RSS stays at its peak:
// the process keeps what its largest pass needed until it exits).
void keep_freed_memory_for_reuse();

}  // namespace osc
