#include "core/progress.h"

#include <cstdio>

namespace osc {
namespace {
bool g_quiet = false;

std::string format_seconds(double s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, (static_cast<int>(s) / 60) % 60);
  return buf;
}
}  // namespace

void set_global_quiet(bool quiet) { g_quiet = quiet; }
bool global_quiet() { return g_quiet; }

Progress::Progress(std::string label, int64_t total, std::string unit, bool quiet)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), quiet_(quiet || g_quiet),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && done_ > 0) finish();
}

void Progress::start_from(int64_t done) { first_done_ = done_ = done; }

void Progress::update(int64_t done, const std::string& extra) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  draw(false, extra);
}

void Progress::finish(const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  draw(true, extra);
}

void Progress::draw(bool final_line, const std::string& extra) {
  if (quiet_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int64_t done_here = done_ - first_done_;
  double rate = elapsed > 0 ? static_cast<double>(done_here) / elapsed : 0.0;
  std::string eta = (rate > 0 && total_ > done_) ? format_seconds(static_cast<double>(total_ - done_) / rate) : "0s";
  double pct = total_ > 0 ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0;
  std::fprintf(stderr, "\r%s %lld/%lld (%.0f%%) %.1f %s/s %s %s%s\033[K", label_.c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), pct, rate, unit_.c_str(),
               final_line ? ("in " + format_seconds(elapsed)).c_str() : ("ETA " + eta).c_str(),
               extra.c_str(), final_line ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace osc
