// dist/communicator.h for builds without MPI: one process, rank 0 of 1, collectives are no-ops.
#include "dist/communicator.h"

#include "core/error.h"

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
void set_wait_limit(double) {}

// A job of one has no other rank to talk to: a call is a programming error.
void send(std::span<const std::byte>, int to, int, const std::string& what) {
  throw_internal("dist", "no rank " + std::to_string(to) + " to send " + what + " to in a single-process build");
}
void receive(std::span<std::byte>, int from, int, const std::string& what) {
  throw_internal("dist", "no rank " + std::to_string(from) + " to receive " + what + " from in a single-process build");
}
void send_sized(std::span<const std::byte> bytes, int to, int tag, const std::string& what) { send(bytes, to, tag, what); }
std::vector<std::byte> receive_sized(int from, int tag, const std::string& what) {
  receive({}, from, tag, what);
  return {};
}

struct PendingSend::InFlight {};
PendingSend::PendingSend(std::vector<std::byte>, int to, int, std::string what) {
  throw_internal("dist", "no rank " + std::to_string(to) + " to send " + what + " to in a single-process build");
}
PendingSend::PendingSend(PendingSend&&) noexcept = default;
PendingSend& PendingSend::operator=(PendingSend&&) noexcept = default;
PendingSend::~PendingSend() = default;
void PendingSend::progress() {}
void PendingSend::complete() {}

std::string build_description() { return "no MPI (single process)"; }

}  // namespace osc::dist
