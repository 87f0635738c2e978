// The processes of a distributed job (MPI ranks), the few collectives that training needs and the
// point-to-point messages of the layer pipeline (pipeline/).
//
// Two implementations behind this one interface, chosen by CMake (no #ifdefs in callers):
// dist/mpi/ when MPI is found at configure time, dist/single/ otherwise (one process: rank 0 of
// 1, every collective a no-op). Every function may be called without a Session; it then describes
// a single process. Only the thread that created the Session calls these (MPI_THREAD_FUNNELED).
#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace osc::dist {

// Joins the job on construction (MPI_Init_thread when built with MPI and started by a launcher:
// under `mpirun -np N` or `srun` this process becomes one of N ranks; started alone it is rank 0
// of 1 without initialising MPI) and leaves it on destruction. One per process, around a command
// that runs distributed. A Session destroyed while an exception unwinds stays joined, so that the
// error handler can still end the job (end_job_after_error).
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

int rank();  // 0 .. size() - 1
int size();  // ranks in the job; 1 without MPI or outside a Session
inline bool is_root() { return rank() == 0; }

// Element-wise sum across ranks; every rank ends with the same values, added in rank order
// ((v0 + v1) + v2) + ..., so a job is bit-for-bit reproducible for a given number of ranks (MPI's
// own reductions may add in any order). Each rank sums a 1/size() segment and then all segments
// are gathered: 2 (size-1)/size of the buffer leaves and enters each rank, like a ring allreduce.
void allreduce_sum(std::span<float> values);
void allreduce_sum(std::span<double> values);
// Copies root's bytes to every rank.
void broadcast(std::span<std::byte> bytes, int root = 0);
void barrier();

// Point-to-point (the layer pipeline's hand-offs), blocking. `tag` tells apart the kinds of
// message between one pair of ranks; `what` names the data in a timeout's message ("the residual
// stream entering layer 4"). receive expects exactly bytes.size() bytes.
void send(std::span<const std::byte> bytes, int to, int tag, const std::string& what);
void receive(std::span<std::byte> bytes, int from, int tag, const std::string& what);
// A message whose length the receiver does not know: the length first, then the bytes.
void send_sized(std::span<const std::byte> bytes, int to, int tag, const std::string& what);
std::vector<std::byte> receive_sized(int from, int tag, const std::string& what);

// A send that proceeds while the sender goes on computing (the pipeline's rank 0 starts the next
// window while earlier ones are on later ranks). It owns its bytes until complete() returns.
// Messages of one (sender, receiver, tag) arrive in the order they were started.
class PendingSend {
 public:
  PendingSend(std::vector<std::byte> bytes, int to, int tag, std::string what);
  PendingSend(PendingSend&&) noexcept;
  PendingSend& operator=(PendingSend&&) noexcept;
  // Destroyed before complete() (an error unwinds; the job is about to end): the bytes are left to
  // MPI, never freed under a transfer that may still read them.
  ~PendingSend();
  // Moves the transfer on without waiting (an MPI library moves a large message over TCP only
  // while the sender is inside an MPI call).
  void progress();
  // Waits, within the wait limit, until the receiver has the bytes.
  void complete();

 private:
  struct InFlight;
  std::unique_ptr<InFlight> in_flight_;
};

// How long one collective or receive may wait for the other ranks, in seconds (0: forever, MPI's
// own behaviour). Past it the rank throws Error (exit status 1) naming the operation and the rank
// it waited for, and the caller ends the job (end_job_after_error): a rank that hangs, or dies
// where the launcher cannot see it (a machine that drops off the network), does not hold the
// others forever. A rank that dies where the launcher sees it ends the job through the launcher.
void set_wait_limit(double seconds);

// After an error on this rank (the Session unwound without leaving the job): ends every rank of
// the job with `status` (MPI_Abort) so that none waits forever in a collective for this one. In a
// one-rank job it leaves MPI cleanly and returns, so the caller exits with `status` itself.
void end_job_after_error(int status);

// For --version: "MPI 3.1 (Open MPI v4.1.4)" or "no MPI (single process)".
std::string build_description();

}  // namespace osc::dist
