// Times dist::allreduce_sum (the trainer's cross-rank gradient sum) on a float buffer the size of
// a model's gradients. Run under the launcher, e.g. for the 30M-parameter shape:
//   mpirun -np 2 build/bench/allreduce_timing 30050000 10
// Rank 0 prints the median seconds per sum and the bytes each rank sent (2 (N-1)/N of the buffer).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dist/communicator.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: allreduce_timing FLOATS REPEATS\n");
    return 2;
  }
  const size_t n = std::strtoull(argv[1], nullptr, 10);
  const int repeats = std::max(1, std::atoi(argv[2]));
  osc::dist::Session session;
  std::vector<float> grads(n, 1.0f / static_cast<float>(osc::dist::rank() + 1));
  osc::dist::allreduce_sum(grads);  // first call: page faults of the buffers
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    osc::dist::barrier();
    const auto t0 = std::chrono::steady_clock::now();
    osc::dist::allreduce_sum(grads);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  if (osc::dist::is_root()) {
    const int ranks = osc::dist::size();
    const double sent = 2.0 * (ranks - 1) / ranks * static_cast<double>(n) * sizeof(float);
    std::printf("ranks %d floats %zu: median %.4f s per sum (min %.4f, max %.4f), %.0f MB sent per rank, %.2f GB/s\n",
                ranks, n, seconds[seconds.size() / 2], seconds.front(), seconds.back(), sent / 1e6,
                sent / seconds[seconds.size() / 2] / 1e9);
  }
  return 0;
}
