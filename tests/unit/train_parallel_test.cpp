// train/parallel.h: every thread index runs exactly once per region, shares cover a range exactly
// once, nesting runs serially, and the thread count follows OpenMP's.
#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <vector>

#include "train/parallel.h"

namespace osc::train {
namespace {

std::vector<int> calls_per_thread(int threads) {
  omp_set_num_threads(threads);
  std::vector<std::atomic<int>> calls(static_cast<size_t>(threads) + 1);
  parallel_run([&](int t, int nt) {
    EXPECT_EQ(nt, threads);
    calls[static_cast<size_t>(t)].fetch_add(1);
  });
  std::vector<int> out;
  for (auto& c : calls) out.push_back(c.load());
  return out;
}

TEST(TrainParallel, EveryThreadIndexRunsOnce) {
  EXPECT_EQ(calls_per_thread(2), (std::vector<int>{1, 1, 0}));
  EXPECT_EQ(calls_per_thread(3), (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(calls_per_thread(1), (std::vector<int>{1, 0}));
  EXPECT_EQ(calls_per_thread(2), (std::vector<int>{1, 1, 0}));
}

TEST(TrainParallel, SharesCoverTheRangeOnce) {
  omp_set_num_threads(2);
  for (int64_t n : {0, 1, 2, 7, 1000}) {
    std::vector<int> hits(static_cast<size_t>(n), 0);
    parallel_for(n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) ++hits[static_cast<size_t>(i)];
    });
    for (int h : hits) EXPECT_EQ(h, 1) << "n = " << n;
  }
  EXPECT_EQ(share_begin(10, 0, 3), 0);
  EXPECT_EQ(share_end(10, 0, 3), 3);
  EXPECT_EQ(share_begin(10, 2, 3), 6);
  EXPECT_EQ(share_end(10, 2, 3), 10);
}

TEST(TrainParallel, NestedCallsRunSerially) {
  omp_set_num_threads(2);
  std::atomic<int> inner_calls{0};
  parallel_run([&](int, int) {
    EXPECT_EQ(parallel_threads(), 1);
    parallel_run([&](int t, int nt) {
      EXPECT_EQ(t, 0);
      EXPECT_EQ(nt, 1);
      inner_calls.fetch_add(1);
    });
  });
  EXPECT_EQ(inner_calls.load(), 2);
  EXPECT_EQ(parallel_threads(), 2);
}

}  // namespace
}  // namespace osc::train
