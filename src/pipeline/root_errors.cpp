#include "pipeline/root_errors.h"

#include "core/error.h"
#include "dist/communicator.h"

namespace osc::pipeline {

void check_alike_on_every_rank(const std::function<void()>& check) {
  try {
    check();
  } catch (const Error&) {
    if (dist::size() == 1 || dist::is_root()) throw;
    dist::barrier();  // ended there by rank 0's abort (or by --mpi-timeout, which throws)
    throw;
  }
}

}  // namespace osc::pipeline
