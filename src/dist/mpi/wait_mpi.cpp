#include "dist/mpi/wait_mpi.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/error.h"

namespace osc::dist {
namespace {

double wait_limit_seconds = 0.0;  // 0: wait forever

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", s);
  return text;
}

}  // namespace

void set_wait_limit(double seconds) { wait_limit_seconds = seconds; }

void wait_within_limit(MPI_Request& request, const std::string& operation, const std::string& whom) {
  if (wait_limit_seconds <= 0.0) {
    MPI_Wait(&request, MPI_STATUS_IGNORE);
    return;
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(wait_limit_seconds);
  // Polling drives MPI's progress. The first millisecond spins (a hand-off that is already under
  // way completes in microseconds); then the rank sleeps between polls, up to 1 ms, so that a long
  // wait (the next rank still computing) leaves the cores to the ranks that work.
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    const auto now = Clock::now();
    if (now >= deadline)
      throw Error(ErrorKind::Internal, "waited " + seconds_text(wait_limit_seconds) + " s for " + operation + ": " +
                                           whom + " hangs or has died (--mpi-timeout " +
                                           seconds_text(wait_limit_seconds) + ")");
    if (now - start < std::chrono::milliseconds(1)) continue;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

}  // namespace osc::dist
