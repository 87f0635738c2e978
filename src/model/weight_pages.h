// The memory pages behind a model's weights, for passes that visit each layer once (the layer-major
// scan, analysis/layer_sweep.h): read a layer's tensors ahead of use, give their pages back after,
// and see which are in memory. Weights are views into memory-mapped checkpoint files (formats/);
// pages of a mapping cost page cache and count towards the process's RSS once touched.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/weight_store.h"

namespace osc {

struct ByteRange {
  const uint8_t* begin = nullptr;
  uint64_t size = 0;
};

// The bytes of every weight named blocks.{layer}.* ; of the rest (embeddings, final norm, head)
// when layer < 0.
std::vector<ByteRange> layer_byte_ranges(const WeightStore& weights, int64_t layer);
uint64_t total_bytes(const std::vector<ByteRange>& ranges);

// Asks the kernel to read the file-backed pages of `ranges` into the page cache now, without
// waiting (MADV_WILLNEED, in pieces: one call reads at most a few MB ahead). No effect on RSS.
void read_ahead(const std::vector<ByteRange>& ranges);

// Gives back the pages of `ranges` that lie wholly inside a file mapping: drops them from the page
// cache where the kernel allows it (MADV_PAGEOUT: files this user owns or may write) and from the
// process's page tables (MADV_DONTNEED, which on a file mapping only unmaps: the next read faults
// them in from the file again). Owned buffers (rearranged rows) are left alone. Returns the bytes
// given back.
uint64_t release_pages(const std::vector<ByteRange>& ranges);

// Pages of `ranges` present in this process's page tables (/proc/self/pagemap): what counts
// towards RSS.
uint64_t resident_pages(const std::vector<ByteRange>& ranges);

// MemAvailable of /proc/meminfo in bytes (0 if it cannot be read).
uint64_t available_memory_bytes();

}  // namespace osc
