// Point-to-point messages of dist/communicator.h over MPI: nonblocking send / receive completed
// within the wait limit (mpi/wait_mpi.h), in chunks of at most 1 GiB (MPI counts are ints). Chunks
// of one (source, tag) pair arrive in order (MPI's non-overtaking rule).
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <mpi.h>

#include "dist/communicator.h"
#include "dist/mpi/wait_mpi.h"

namespace osc::dist {
namespace {

constexpr size_t kChunk = size_t{1} << 30;

std::string rank_name(int r) { return "rank " + std::to_string(r); }

}  // namespace

void send(std::span<const std::byte> bytes, int to, int tag, const std::string& what) {
  size_t at = 0;
  do {  // an empty message is still one message
    const int n = static_cast<int>(std::min(kChunk, bytes.size() - at));
    MPI_Request request;
    MPI_Isend(bytes.data() + at, n, MPI_BYTE, to, tag, MPI_COMM_WORLD, &request);
    wait_within_limit(request, "sending " + what + " to " + rank_name(to) + " (MPI_Send)", rank_name(to));
    at += static_cast<size_t>(n);
  } while (at < bytes.size());
}

void receive(std::span<std::byte> bytes, int from, int tag, const std::string& what) {
  size_t at = 0;
  do {
    const int n = static_cast<int>(std::min(kChunk, bytes.size() - at));
    MPI_Request request;
    MPI_Irecv(bytes.data() + at, n, MPI_BYTE, from, tag, MPI_COMM_WORLD, &request);
    wait_within_limit(request, what + " from " + rank_name(from) + " (MPI_Recv)", rank_name(from));
    at += static_cast<size_t>(n);
  } while (at < bytes.size());
}

void send_sized(std::span<const std::byte> bytes, int to, int tag, const std::string& what) {
  const uint64_t length = bytes.size();
  send(std::as_bytes(std::span(&length, 1)), to, tag, what);
  send(bytes, to, tag, what);
}

struct PendingSend::InFlight {
  std::vector<std::byte> bytes;
  std::vector<MPI_Request> requests;  // one per chunk
  int to;
  std::string what;
};

PendingSend::PendingSend(std::vector<std::byte> bytes, int to, int tag, std::string what)
    : in_flight_(new InFlight{std::move(bytes), {}, to, std::move(what)}) {
  const std::vector<std::byte>& b = in_flight_->bytes;
  size_t at = 0;
  do {
    const int n = static_cast<int>(std::min(kChunk, b.size() - at));
    MPI_Isend(b.data() + at, n, MPI_BYTE, to, tag, MPI_COMM_WORLD, &in_flight_->requests.emplace_back());
    at += static_cast<size_t>(n);
  } while (at < b.size());
}

PendingSend::PendingSend(PendingSend&&) noexcept = default;
PendingSend& PendingSend::operator=(PendingSend&&) noexcept = default;

PendingSend::~PendingSend() {
  if (in_flight_ && !in_flight_->requests.empty()) static_cast<void>(in_flight_.release());
}

void PendingSend::progress() {
  std::vector<MPI_Request>& requests = in_flight_->requests;
  int done = 0;  // MPI_Testall leaves every request as it was unless all are complete
  MPI_Testall(static_cast<int>(requests.size()), requests.data(), &done, MPI_STATUSES_IGNORE);
  if (done) requests.clear();
}

void PendingSend::complete() {
  InFlight& f = *in_flight_;
  for (MPI_Request& request : f.requests)
    wait_within_limit(request, "sending " + f.what + " to " + rank_name(f.to) + " (MPI_Send)", rank_name(f.to));
  f.requests.clear();
}

std::vector<std::byte> receive_sized(int from, int tag, const std::string& what) {
  uint64_t length = 0;
  receive(std::as_writable_bytes(std::span(&length, 1)), from, tag, what);
  std::vector<std::byte> bytes(length);
  receive(bytes, from, tag, what);
  return bytes;
}

}  // namespace osc::dist
