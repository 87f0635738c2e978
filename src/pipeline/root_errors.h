// One error line per job: a check that every rank makes alike (the command line, the model's
// layer count) fails on every rank at once. Rank 0 reports it (one line; its error handler ends
// the job, cli/main.cpp); the other ranks wait to be ended instead of printing the same line.
#pragma once
#include <functional>

namespace osc::pipeline {

// Runs `check`; an Error it throws passes on from rank 0 (and in a job of one rank), while any
// other rank waits in a barrier rank 0 never joins until rank 0's error ends the job.
void check_alike_on_every_rank(const std::function<void()>& check);

}  // namespace osc::pipeline
