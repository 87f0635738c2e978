// dist/communicator.h for builds without MPI: one process, rank 0 of 1, collectives are no-ops.
#include "dist/communicator.h"

namespace osc::dist {

Session::Session() = default;
Session::~Session() = default;

int rank() { return 0; }
int size() { return 1; }

void allreduce_sum(std::span<float>) {}
void allreduce_sum(std::span<double>) {}
void broadcast(std::span<std::byte>, int) {}
void barrier() {}
void end_job_after_error(int) {}

std::string build_description() { return "no MPI (single process)"; }

}  // namespace osc::dist
