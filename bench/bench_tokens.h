// The token counts a benchmark runs: its defaults, or the comma-separated list in OSC_BENCH_TOKENS
// (e.g. "16,24,32" for the stream / gemm crossover, "9,1024" for a 7B pass).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <vector>

inline std::vector<int64_t> bench_token_counts(std::vector<int64_t> defaults) {
  const char* list = std::getenv("OSC_BENCH_TOKENS");
  if (!list) return defaults;
  std::vector<int64_t> counts;
  for (const char* p = list;;) {
    char* end = nullptr;
    const int64_t t = std::strtoll(p, &end, 10);
    if (end == p || t < 1) break;  // not a positive count: the list ends here
    counts.push_back(t);
    if (*end != ',') break;
    p = end + 1;
  }
  return counts;
}
