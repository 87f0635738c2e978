#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace osc {
namespace {
bool g_quiet = false;
ProgressStyle g_style = ProgressStyle::automatic;

std::string format_seconds(double s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, (static_cast<int>(s) / 60) % 60);
  return buf;
}

bool stderr_is_terminal() {
  if (g_style != ProgressStyle::automatic) return g_style == ProgressStyle::live;
  return isatty(STDERR_FILENO) == 1;
}

int64_t tenths(int64_t done, int64_t total) { return total > 0 ? done * 10 / total : 0; }
}  // namespace

void set_global_quiet(bool quiet) { g_quiet = quiet; }
bool global_quiet() { return g_quiet; }
void set_progress_style(ProgressStyle style) { g_style = style; }

Progress::Progress(std::string label, int64_t total, std::string unit, bool quiet)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), quiet_(quiet || g_quiet),
      live_(stderr_is_terminal()), start_(std::chrono::steady_clock::now()), last_draw_(start_) {
  if (!live_) write(false, "");  // a log records when the work started and how much there is
}

Progress::~Progress() {
  if (!finished_ && done_ > 0) finish();
}

void Progress::start_from(int64_t done) {
  first_done_ = done_ = done;
  tenths_written_ = tenths(done, total_);
}

void Progress::update(int64_t done, const std::string& extra) {
  done_ = done;
  if (live_) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
  } else {
    // One line per tenth of the work; the end is finish()'s line.
    if (tenths(done, total_) <= tenths_written_ || done >= total_) return;
    tenths_written_ = tenths(done, total_);
  }
  write(false, extra);
}

void Progress::finish(const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  write(true, extra);
}

std::string Progress::status(bool final_line, const std::string& extra) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int64_t done_here = done_ - first_done_;
  const double rate = elapsed > 0 ? static_cast<double>(done_here) / elapsed : 0.0;
  const double pct = total_ > 0 ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0;
  char head[256];
  std::snprintf(head, sizeof head, "%s %lld/%lld (%.0f%%)", label_.c_str(), static_cast<long long>(done_),
                static_cast<long long>(total_), pct);
  std::string line = head;
  if (done_here > 0) {
    char speed[64];
    std::snprintf(speed, sizeof speed, " %.1f %s/s", rate, unit_.c_str());
    line += speed;
  }
  if (final_line) line += " in " + format_seconds(elapsed);
  else if (rate > 0 && total_ > done_) line += " ETA " + format_seconds(static_cast<double>(total_ - done_) / rate);
  if (!extra.empty()) line += " " + extra;
  return line;
}

void Progress::write(bool final_line, const std::string& extra) {
  if (quiet_) return;
  const std::string line = status(final_line, extra);
  if (live_) std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), final_line ? "\n" : "");
  else std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace osc
