// Times the layer pipeline's hand-off (pipeline/layer_pipeline.cpp): the residual stream
// [T, d_model] f32 sent from rank 0 to rank 1 with dist::send / dist::receive, then back (a ping
// pong, so the clock of one rank measures both directions). Run under the launcher, e.g. for a
// LLaMA-2-70B window of 2048 tokens:
//   mpirun -np 2 build/bench/handoff_timing 2048 8192 20
// Rank 0 prints the median seconds of one hand-off (half a round trip) and its rate.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "dist/communicator.h"

namespace {

void hand_off(std::vector<float>& x, int from, int to) {
  if (osc::dist::rank() == from) osc::dist::send(std::as_bytes(std::span(x)), to, 2, "the residual stream");
  if (osc::dist::rank() == to) osc::dist::receive(std::as_writable_bytes(std::span(x)), from, 2, "the residual stream");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: handoff_timing TOKENS D_MODEL REPEATS (under mpirun -np 2)\n");
    return 2;
  }
  const size_t floats = std::strtoull(argv[1], nullptr, 10) * std::strtoull(argv[2], nullptr, 10);
  const int repeats = std::max(1, std::atoi(argv[3]));
  osc::dist::Session session;
  if (osc::dist::size() != 2) {
    std::fprintf(stderr, "handoff_timing: run it on 2 ranks\n");
    return 2;
  }
  std::vector<float> x(floats, 1.0f);
  std::vector<double> seconds;
  for (int r = 0; r <= repeats; ++r) {  // the first round trip (page faults) is not counted
    osc::dist::barrier();
    const auto t0 = std::chrono::steady_clock::now();
    hand_off(x, 0, 1);
    hand_off(x, 1, 0);
    if (r > 0) seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 2);
  }
  std::sort(seconds.begin(), seconds.end());
  if (osc::dist::is_root()) {
    const double bytes = static_cast<double>(floats) * sizeof(float);
    std::printf("hand-off of %.2f MB: median %.6f s (min %.6f, max %.6f), %.2f GB/s\n", bytes / 1e6,
                seconds[seconds.size() / 2], seconds.front(), seconds.back(), bytes / seconds[seconds.size() / 2] / 1e9);
  }
  return 0;
}
