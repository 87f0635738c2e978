// Progress of long work on stderr: "<label> 120/400 (30%) 35.2 tok/s ETA 8s". On a terminal the line
// is redrawn in place ('\r', erase to end of line) at most a few times a second; when stderr is a
// file or a pipe (a log), it is written as a few plain lines instead: the start, one per tenth of
// the work, and the end. Silent when quiet (the CLI's --quiet).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace osc {

enum class ProgressStyle {
  automatic,  // live on a terminal, lines otherwise (the default)
  live,       // one line redrawn in place
  lines,      // plain lines: start, every 10%, end
};

class Progress {
 public:
  Progress(std::string label, int64_t total, std::string unit, bool quiet);
  ~Progress();
  // A resumed job: `done` units were done before this run; rate and ETA count only what follows.
  void start_from(int64_t done);
  void update(int64_t done, const std::string& extra = "");  // extra: e.g. "loss 3.21"
  void finish(const std::string& extra = "");

 private:
  std::string status(bool final_line, const std::string& extra) const;
  void write(bool final_line, const std::string& extra);
  std::string label_, unit_;
  int64_t total_, done_ = 0;
  int64_t first_done_ = 0;      // work done before this run (start_from): rates count only this run's work
  int64_t tenths_written_ = 0;  // lines style: the last tenth of the work a line was written for
  bool quiet_, live_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Process-wide default for commands that do not take an explicit flag (set by the CLI's --quiet).
void set_global_quiet(bool quiet);
bool global_quiet();
// Overrides the terminal detection (tests; ProgressStyle::automatic restores it).
void set_progress_style(ProgressStyle style);

}  // namespace osc
