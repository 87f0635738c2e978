// keep_freed_memory_for_reuse (core/large_buffers.h): a pass that frees over a GiB and a second
// pass of the same size must not fault the memory in again (at the old 1 GiB trim threshold glibc
// gave it back, and a 1024-token GPT-2 pass with every hook captured paid ~500k page faults).
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstddef>
#include <memory>

#include "core/large_buffers.h"

namespace osc {
namespace {

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// Allocates `bytes`, writes every page, frees it.
void touch_and_free(size_t bytes) {
  std::unique_ptr<char[]> block(new char[bytes]);
  for (size_t i = 0; i < bytes; i += 4096) block[i] = static_cast<char>(i);
  volatile char sink = block[bytes - 1];
  (void)sink;
}

TEST(LargeBuffers, ASecondPassOfOverAGibDoesNotFaultItsMemoryInAgain) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces malloc, so mallopt has no effect";
#endif
  keep_freed_memory_for_reuse();
  const size_t bytes = size_t{1100} << 20;  // over the 1 GiB threshold glibc trimmed at before
  touch_and_free(bytes);
  const long before = minor_faults();
  touch_and_free(bytes);
  EXPECT_LT(minor_faults() - before, 2000) << "a fresh mapping would cost " << bytes / 4096 << " faults";
}

}  // namespace
}  // namespace osc
