// dist/communicator.h over MPI's C API (MPI 3.0; standard calls only, so that Open MPI and MPICH
// both serve). Errors on MPI_COMM_WORLD are fatal (MPI_ERRORS_ARE_FATAL): a failed collective
// ends the job through the launcher instead of returning into a half-reduced step. Collectives
// are the nonblocking ones, completed within the wait limit (mpi/wait_mpi.h).
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include <mpi.h>

#include "core/error.h"
#include "dist/communicator.h"
#include "dist/mpi/wait_mpi.h"

namespace osc::dist {
namespace {

bool session_joined = false;  // this process called MPI_Init_thread (and will finalise)

bool mpi_active() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

int to_count(size_t n, const char* what) {
  if (n > static_cast<size_t>(INT_MAX))
    throw_internal("MPI", std::string(what) + " of " + std::to_string(n) + " elements exceeds MPI's int count");
  return static_cast<int>(n);
}

// Segment k of a buffer of n elements: [n k / size, n (k + 1) / size).
size_t segment_begin(size_t n, int k, int ranks) {
  const auto scaled = static_cast<unsigned __int128>(n) * static_cast<unsigned>(k);
  return static_cast<size_t>(scaled / static_cast<unsigned>(ranks));
}

// MPI_Init without a launcher ("singleton") costs about 0.5 s and gives a job of one; a process
// started alone skips it. These are the variables the launchers set in each rank's environment:
// Open MPI's mpirun, MPICH/Intel MPI's Hydra and Slurm's srun (--mpi=pmi2 or pmix).
bool started_by_a_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

template <typename T>
void sum_in_rank_order(std::span<T> values, MPI_Datatype type) {
  const int ranks = size();
  if (ranks == 1) return;
  const int me = rank();
  std::vector<int> counts(static_cast<size_t>(ranks)), displs(static_cast<size_t>(ranks));
  for (int k = 0; k < ranks; ++k) {
    const size_t begin = segment_begin(values.size(), k, ranks);
    displs[static_cast<size_t>(k)] = to_count(begin, "an allreduce offset");
    const size_t end = segment_begin(values.size(), k + 1, ranks);
    counts[static_cast<size_t>(k)] = to_count(end - begin, "an allreduce segment");
  }
  // Every rank's copy of my segment, rank by rank: [ranks, mine].
  const int mine = counts[static_cast<size_t>(me)];
  to_count(static_cast<size_t>(mine) * static_cast<size_t>(ranks), "an allreduce receive buffer");  // r * mine below
  static std::vector<T> gathered;  // kept between steps: a fresh multi-MB allocation each step costs page faults
  gathered.resize(static_cast<size_t>(mine) * static_cast<size_t>(ranks));
  std::vector<int> recv_counts(static_cast<size_t>(ranks), mine), recv_displs(static_cast<size_t>(ranks));
  for (int r = 0; r < ranks; ++r) recv_displs[static_cast<size_t>(r)] = r * mine;
  MPI_Request request;
  MPI_Ialltoallv(values.data(), counts.data(), displs.data(), type, gathered.data(), recv_counts.data(),
                 recv_displs.data(), type, MPI_COMM_WORLD, &request);
  wait_within_limit(request, "the rank-ordered sum (MPI_Alltoallv)", "another rank");
  T* own = values.data() + displs[static_cast<size_t>(me)];
  std::copy(gathered.begin(), gathered.begin() + mine, own);
  for (int r = 1; r < ranks; ++r) {
    const T* from = gathered.data() + static_cast<size_t>(r) * static_cast<size_t>(mine);
    for (int i = 0; i < mine; ++i) own[i] += from[i];
  }
  MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, values.data(), counts.data(), displs.data(), type,
                  MPI_COMM_WORLD, &request);
  wait_within_limit(request, "the rank-ordered sum (MPI_Allgatherv)", "another rank");
}

}  // namespace

Session::Session() {
  if (mpi_active() || !started_by_a_launcher()) return;
  int provided = 0;
  // Only the main thread calls MPI; OpenMP threads compute between the calls.
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  session_joined = true;
}

Session::~Session() {
  // While an error unwinds, MPI stays up so that the handler that reports it can end the job.
  if (!session_joined || std::uncaught_exceptions() > 0 || !mpi_active()) return;
  MPI_Finalize();
  session_joined = false;
}

int rank() {
  if (!mpi_active()) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  if (!mpi_active()) return 1;
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void allreduce_sum(std::span<float> values) { sum_in_rank_order(values, MPI_FLOAT); }
void allreduce_sum(std::span<double> values) { sum_in_rank_order(values, MPI_DOUBLE); }

void broadcast(std::span<std::byte> bytes, int root) {
  if (size() == 1) return;
  constexpr size_t kChunk = size_t{1} << 30;  // MPI counts are ints
  for (size_t at = 0; at < bytes.size(); at += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, bytes.size() - at));
    MPI_Request request;
    MPI_Ibcast(bytes.data() + at, n, MPI_BYTE, root, MPI_COMM_WORLD, &request);
    wait_within_limit(request, "a broadcast from rank " + std::to_string(root) + " (MPI_Bcast)", "another rank");
  }
}

void barrier() {
  if (size() == 1) return;
  MPI_Request request;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  wait_within_limit(request, "every rank at a barrier (MPI_Barrier)", "another rank");
}

void end_job_after_error(int status) {
  if (size() > 1) MPI_Abort(MPI_COMM_WORLD, status);
  if (session_joined && mpi_active()) MPI_Finalize();
  session_joined = false;
}

std::string build_description() {
  char library[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(library, &length);  // one of the calls allowed before MPI_Init
  std::string name(library, static_cast<size_t>(std::max(length, 0)));
  name = name.substr(0, name.find_first_of(",\n"));  // "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4"
  std::replace(name.begin(), name.end(), '\t', ' ');  // MPICH: "MPICH Version:\t4.0.2"
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return "MPI " + std::to_string(MPI_VERSION) + "." + std::to_string(MPI_SUBVERSION) + " (" + name + ")";
}

}  // namespace osc::dist
