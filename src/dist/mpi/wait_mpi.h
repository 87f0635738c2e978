// Waiting for a nonblocking MPI operation within the job's wait limit (set_wait_limit in
// dist/communicator.h); shared by the collectives and the point-to-point messages.
#pragma once
#include <string>

#include <mpi.h>

namespace osc::dist {

// Completes `request`. With a limit, polls it and throws Error (Internal) once the limit has
// passed: "waited 30 s for <operation>: <whom> hangs or has died (--mpi-timeout 30)" (the CLI adds
// the rank).
// `operation` names the call and its data, `whom` the rank(s) it waits for.
void wait_within_limit(MPI_Request& request, const std::string& operation, const std::string& whom);

}  // namespace osc::dist
