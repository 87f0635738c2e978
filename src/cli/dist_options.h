// Options of the commands that run as one rank of a multi-process job (docs/distributed.md).
#pragma once
#include <cstddef>

#include <CLI/CLI.hpp>

namespace osc::cli {

// --mpi-timeout SECONDS (0, the default: wait forever): the longest one rank waits for the others
// in a collective or a hand-off before it ends the job with an error naming the operation
// (dist::set_wait_limit; set it right after the dist::Session is made).
inline void add_mpi_timeout_option(CLI::App& sub, double& seconds) {
  sub.add_option("--mpi-timeout", seconds,
                 "Under mpirun/srun: seconds a rank may wait for another (a collective, a hand-off) before it ends "
                 "the job with an error naming what it waited for (0: forever)")
      ->capture_default_str();
}

// --in-flight N: windows in the layer pipeline at once (0, the default: one per rank, which keeps
// every rank busy; 1: one window at a time, the least memory on rank 0).
inline void add_in_flight_option(CLI::App& sub, size_t& windows) {
  sub.add_option("--in-flight", windows,
                 "Under mpirun/srun: windows in the layer pipeline at once (0: one per rank; 1: one at a time)")
      ->capture_default_str();
}

}  // namespace osc::cli
