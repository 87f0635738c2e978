// The [out, in] weight shapes a linear-layer benchmark runs: its defaults, or the list in
// OSC_BENCH_SHAPES ("OUTxIN,...", e.g. GPT-2-124M's "2304x768,768x768,3072x768,768x3072,50257x768").
#pragma once
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

inline std::vector<std::pair<int64_t, int64_t>> bench_weight_shapes(std::vector<std::pair<int64_t, int64_t>> defaults) {
  const char* list = std::getenv("OSC_BENCH_SHAPES");
  if (!list) return defaults;
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const char* p = list;;) {
    char* end = nullptr;
    const int64_t rows = std::strtoll(p, &end, 10);
    if (end == p || *end != 'x') break;  // not "OUTxIN": the list ends here
    p = end + 1;
    const int64_t cols = std::strtoll(p, &end, 10);
    if (end == p || rows < 1 || cols < 1) break;
    out.emplace_back(rows, cols);
    if (*end != ',') break;
    p = end + 1;
  }
  return out;
}
