// A progress line on stderr for long work: "<label> 120/400 (30%) 35.2 tok/s ETA 8s", redrawn in
// place at most a few times a second. Silent when quiet (the CLI's --quiet) or when disabled.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace osc {

class Progress {
 public:
  Progress(std::string label, int64_t total, std::string unit, bool quiet);
  ~Progress();
  // A resumed job: `done` units were done before this run; rate and ETA count only what follows.
  void start_from(int64_t done);
  void update(int64_t done, const std::string& extra = "");  // extra: e.g. "loss 3.21"
  void finish(const std::string& extra = "");

 private:
  void draw(bool final_line, const std::string& extra);
  std::string label_, unit_;
  int64_t total_, done_ = 0;
  int64_t first_done_ = 0;  // work done before this run (start_from): rates count only this run's work
  bool quiet_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Process-wide default for commands that do not take an explicit flag (set by the CLI's --quiet).
void set_global_quiet(bool quiet);
bool global_quiet();

}  // namespace osc
