// Progress (core/progress.h): the final line's count and rate. A resumed job's rate counts only the
// units of this run (a resumed training run showed millions of steps/s), and a job whose first
// update already counts one unit still gets a rate. The style follows stderr: redrawn in place on a
// terminal, a few plain lines (start, every tenth, end) in a file or a pipe; the program's own
// progress (synth) checked both ways, through a pseudo-terminal and a log file.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/progress.h"
#include "core/text_file.h"
#include "support/shared_data.h"

namespace osc {
namespace {

// The rate printed before " step/s" on the last line of `err`.
double printed_rate(const std::string& err) {
  const size_t unit = err.rfind(" step/s");
  EXPECT_NE(unit, std::string::npos) << err;
  const size_t begin = err.rfind(' ', unit - 1) + 1;
  return std::strtod(err.substr(begin, unit - begin).c_str(), nullptr);
}

std::string run_job(int64_t resumed_at, int64_t first_update) {
  set_global_quiet(false);
  set_progress_style(ProgressStyle::live);
  testing::internal::CaptureStderr();
  {
    Progress p("job", 100, "step", false);
    if (resumed_at > 0) p.start_from(resumed_at);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    p.update(first_update);
    p.finish();
  }
  return testing::internal::GetCapturedStderr();
}

TEST(Progress, AResumedJobCountsOnlyTheUnitsOfThisRun) {
  const std::string err = run_job(90, 91);
  EXPECT_NE(err.find("91/100"), std::string::npos) << err;
  EXPECT_LE(printed_rate(err), 10.0) << "one step in at least 0.1 s, not 91: " << err;
  EXPECT_GT(printed_rate(err), 0.0) << err;
}

TEST(Progress, AJobWhoseFirstUpdateIsOneUnitHasARate) {
  const std::string err = run_job(0, 1);
  EXPECT_NE(err.find("1/100"), std::string::npos) << err;
  EXPECT_GT(printed_rate(err), 0.0) << err;
}

// stderr of `total` unit updates, with the given style.
std::string run_steps(ProgressStyle style, int64_t total) {
  set_global_quiet(false);
  set_progress_style(style);
  testing::internal::CaptureStderr();
  {
    Progress p("job", total, "step", false);
    for (int64_t i = 1; i <= total; ++i) p.update(i, "loss 1.5");
    p.finish("loss 1.0");
  }
  set_progress_style(ProgressStyle::automatic);
  return testing::internal::GetCapturedStderr();
}

int64_t count(const std::string& text, const std::string& what) {
  int64_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Progress, InALogItWritesTheStartEveryTenthAndTheEnd) {
  const std::string err = run_steps(ProgressStyle::lines, 1000);
  EXPECT_EQ(count(err, "\n"), 11) << "start, 10% .. 90%, end:\n" << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << err;
  EXPECT_EQ(err.find("\033[K"), std::string::npos) << err;
  EXPECT_EQ(err.rfind("job 0/1000 (0%)", 0), 0u) << err;
  for (const char* tenth : {"job 100/1000 (10%)", "job 500/1000 (50%)", "job 900/1000 (90%)"})
    EXPECT_NE(err.find(tenth), std::string::npos) << tenth << " missing:\n" << err;
  const std::string last = err.substr(err.rfind("job "));
  EXPECT_EQ(last.rfind("job 1000/1000 (100%)", 0), 0u) << err;
  EXPECT_NE(last.find("loss 1.0\n"), std::string::npos) << err;
}

TEST(Progress, AShortJobInALogWritesStartAndEndOnly) {
  const std::string err = run_steps(ProgressStyle::lines, 1);
  EXPECT_EQ(count(err, "\n"), 2) << err;
  EXPECT_NE(err.find("job 1/1 (100%)"), std::string::npos) << err;
}

TEST(Progress, OnATerminalItRedrawsOneLine) {
  const std::string err = run_steps(ProgressStyle::live, 3);
  EXPECT_EQ(count(err, "\n"), 1) << err;
  EXPECT_NE(err.find("\r"), std::string::npos) << err;
  EXPECT_NE(err.find("\033[K"), std::string::npos) << err;
  EXPECT_NE(err.find("job 3/3 (100%)"), std::string::npos) << err;
}

TEST(Progress, StderrCapturedToAFileGetsPlainLines) {
  const std::string err = run_steps(ProgressStyle::automatic, 50);
  EXPECT_EQ(err.find("\033[K"), std::string::npos) << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << err;
  EXPECT_NE(err.find("job 50/50 (100%)"), std::string::npos) << err;
}

TEST(Progress, QuietWritesNothing) {
  set_global_quiet(true);
  testing::internal::CaptureStderr();
  { Progress p("job", 10, "step", false); p.update(10); p.finish(); }
  set_global_quiet(false);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

std::string synth_command(const std::string& name, const std::string& flags = "") {
  return test::cli_path() + flags + " synth --arch llama --preset tiny --out " + test::scratch_dir("progress_" + name) + "/m";
}

TEST(ProgressCli, SynthLogsPlainLinesEndingAtTheTotal) {
  const std::string log = test::scratch_dir("progress_log") + "/stderr.log";
  ASSERT_EQ(test::run_command("(" + synth_command("log") + " 2> " + log + ")"), 0);
  const std::string err = read_text_file(log);
  EXPECT_EQ(err.find('\r'), std::string::npos) << err;
  EXPECT_EQ(err.find("\033[K"), std::string::npos) << err;
  EXPECT_NE(err.find("synth llama tiny 1/1 (100%)"), std::string::npos) << "a model under 1 MiB ends at 1/1:\n" << err;
  EXPECT_EQ(err.find(" 0/1 (0%) "), std::string::npos) << "no final 0/1:\n" << err;
}

TEST(ProgressCli, QuietSynthWritesNoProgress) {
  std::string out;
  ASSERT_EQ(test::run_command("(" + synth_command("quiet", " --quiet") + " 2>&1 >/dev/null)", &out), 0);
  EXPECT_EQ(out, "");
  ASSERT_EQ(test::run_command("(" + synth_command("loud") + " 2>&1 >/dev/null)", &out), 0);
  EXPECT_NE(out.find("synth llama tiny"), std::string::npos) << "without --quiet the same command reports progress";
}

// Everything the program writes to a pseudo-terminal (stdin, stdout and stderr on the pty).
std::string run_on_terminal(const std::string& command) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  EXPECT_GT(pid, 0) << "forkpty failed";
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  return out;
}

TEST(ProgressCli, SynthRedrawsInPlaceOnATerminal) {
  const std::string out = run_on_terminal(synth_command("tty"));
  EXPECT_NE(out.find("\033[K"), std::string::npos) << out;
  EXPECT_NE(out.find("synth llama tiny 1/1 (100%)"), std::string::npos) << out;
}

}  // namespace
}  // namespace osc
