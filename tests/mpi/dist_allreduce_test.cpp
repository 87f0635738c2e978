// dist::allreduce_sum on 3 ranks (run by ctest under `mpirun -np 3`): every rank ends with the sum
// added in rank order ((v0 + v1) + v2), bit for bit, for buffer sizes that leave segments empty,
// uneven or one element long. The values are chosen so that another order gives other bits
// (1e8 - 1e8 + x keeps x, 1e8 + (-1e8 + x) loses it in float), which the test checks as well.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dist/communicator.h"

namespace osc::dist {
namespace {

// Rank r's value at index i (every rank can compute every rank's values).
template <typename T>
T value(int r, size_t i) {
  const T small = static_cast<T>(1.0 + 0.001 * static_cast<double>(i % 97));
  if (r == 0) return static_cast<T>(i % 2 == 0 ? 1e8 : 3.0);
  if (r == 1) return static_cast<T>(i % 2 == 0 ? -1e8 : 0.25);
  return small * static_cast<T>(r);
}

template <typename T>
void check_sizes(int ranks) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{1000}}) {
    std::vector<T> mine(n), in_order(n), reversed(n);
    for (size_t i = 0; i < n; ++i) {
      mine[i] = value<T>(rank(), i);
      in_order[i] = value<T>(0, i);
      for (int r = 1; r < ranks; ++r) in_order[i] += value<T>(r, i);
      reversed[i] = value<T>(ranks - 1, i);
      for (int r = ranks - 2; r >= 0; --r) reversed[i] += value<T>(r, i);
    }
    allreduce_sum(std::span<T>(mine));
    EXPECT_EQ(mine, in_order) << "n = " << n << " on rank " << rank();
    if (n == 1000) {
      EXPECT_NE(in_order, reversed) << "the values do not tell summation orders apart";
    }
  }
}

TEST(DistAllreduce, SumsInRankOrderOnEveryRank) {
  Session session;
  ASSERT_EQ(size(), 3) << "run under mpirun -np 3";
  check_sizes<float>(size());
  check_sizes<double>(size());

  uint64_t word = rank() == 0 ? 0x1234567890abcdefULL : 0;
  broadcast(std::as_writable_bytes(std::span(&word, 1)));
  EXPECT_EQ(word, 0x1234567890abcdefULL);
  barrier();
}

}  // namespace
}  // namespace osc::dist
