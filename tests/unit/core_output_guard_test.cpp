// core/output_guard.h and core/temp_files.h in-process: which outputs are refused, what a Replace
// folder looks like after commit and after a failure, and that a signal removes registered
// temporaries before the process dies of it. (The command-line behaviour, locks between processes
// included, is in tests/hostile/hostile_test.py.)
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/output_guard.h"
#include "core/temp_files.h"
#include "core/text_file.h"
#include "support/shared_data.h"

namespace osc {
namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2) << e.what();
    return e.what();
  }
  return "";
}

TEST(OutputGuard, OutputFilesThatAreInputsOrNotRegularAreRefused) {
  const std::string dir = test::scratch_dir("output_guard_files");
  write(dir + "/model.bin", "weights");
  fs::create_directory(dir + "/model_dir");
  write(dir + "/model_dir/model.safetensors", "weights");
  fs::create_symlink(dir + "/model.bin", dir + "/link.bin");
  fs::create_hard_link(dir + "/model.bin", dir + "/hard.bin");
  ASSERT_EQ(::mkfifo((dir + "/fifo").c_str(), 0644), 0);
  const std::vector<std::string> inputs = {dir + "/model.bin", dir + "/model_dir"};
  for (const char* same : {"/model.bin", "/link.bin", "/hard.bin", "/model_dir/model.safetensors"})
    EXPECT_NE(error_of([&] { check_output_file(dir + same, inputs, "--out"); }).find("an input of this command"),
              std::string::npos) << same;
  for (const char* odd : {"/fifo", "/model_dir"})
    EXPECT_NE(error_of([&] { check_output_file(dir + odd, inputs, "--out"); }).find("not a regular file"),
              std::string::npos) << odd;
  EXPECT_EQ(error_of([&] { check_output_file(dir + "/new.safetensors", inputs, "--out"); }), "");
  EXPECT_EQ(error_of([&] { check_output_file(dir + "/model_dir/acts.safetensors", inputs, "--out"); }), "");
  EXPECT_EQ(read_text_file(dir + "/model.bin"), "weights");
}

TEST(OutputGuard, ReplaceFolderSwapsItsContentsOnlyOnCommit) {
  const std::string out = test::scratch_dir("output_guard_replace") + "/out";
  {
    OutputFolder folder(out, "demo", {}, OutputFolder::Mode::Replace);
    write(folder.path() + "/a.txt", "first");
    fs::create_directory(folder.path() + "/figures");
    write(folder.path() + "/figures/f.png", "figure");
    folder.commit();
  }
  EXPECT_EQ(read_text_file(out + "/a.txt"), "first");
  EXPECT_TRUE(fs::exists(out + "/.outlierscope-demo"));
  {  // a run that fails before commit leaves the previous output as it was
    OutputFolder folder(out, "demo", {}, OutputFolder::Mode::Replace);
    write(folder.path() + "/a.txt", "half");
  }
  EXPECT_EQ(read_text_file(out + "/a.txt"), "first");
  {  // a rerun replaces the whole folder: the earlier figures are gone
    OutputFolder folder(out, "demo", {}, OutputFolder::Mode::Replace);
    write(folder.path() + "/b.txt", "second");
    folder.commit();
  }
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".outlierscope-demo", "b.txt"}));
}

TEST(OutputGuard, FoldersOfOthersAndFoldersHoldingInputsAreRefused) {
  const std::string dir = test::scratch_dir("output_guard_foreign");
  fs::create_directory(dir + "/user");
  write(dir + "/user/notes.txt", "keep");
  EXPECT_NE(error_of([&] { OutputFolder f(dir + "/user", "demo", {}, OutputFolder::Mode::Replace); }).find("not empty"),
            std::string::npos);
  { OutputFolder other(dir + "/other", "scan", {}, OutputFolder::Mode::Replace); other.commit(); }
  EXPECT_NE(error_of([&] { OutputFolder f(dir + "/other", "demo", {}, OutputFolder::Mode::Replace); })
                .find("outlierscope scan"), std::string::npos);
  EXPECT_NE(error_of([&] { OutputFolder f(dir, "demo", {dir + "/user/notes.txt"}, OutputFolder::Mode::Update); })
                .find("an input of this command"), std::string::npos);
  write(dir + "/file", "x");
  EXPECT_NE(error_of([&] { OutputFolder f(dir + "/file", "demo", {}, OutputFolder::Mode::Update); }).find("not a folder"),
            std::string::npos);
  // A failed first run leaves no folder behind.
  EXPECT_EQ(error_of([&] { OutputFolder f(dir + "/fresh", "demo", {}, OutputFolder::Mode::Replace); }), "");
  EXPECT_FALSE(fs::exists(dir + "/fresh"));
  EXPECT_EQ(read_text_file(dir + "/user/notes.txt"), "keep");
}

// In a child: registers a temporary file and a folder, then dies of `signal_number`.
void die_with_temporaries(const std::string& dir, int signal_number) {
  install_interrupt_cleanup();
  write(dir + "/x.tmp.1", "partial");
  fs::create_directories(dir + "/staging/figures");
  write(dir + "/staging/figures/f.png", "figure");
  register_temporary(dir + "/x.tmp.1");
  register_temporary(dir + "/staging");
  ::raise(signal_number);
  _exit(0);  // not reached: the handler re-raises with the default action
}

TEST(TempFiles, SignalsRemoveRegisteredTemporariesAndStillKill) {
  for (int signal_number : {SIGINT, SIGTERM}) {
    const std::string dir = test::scratch_dir("temp_files_" + std::to_string(signal_number));
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) die_with_temporaries(dir, signal_number);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number) << status;
    EXPECT_FALSE(fs::exists(dir + "/x.tmp.1"));
    EXPECT_FALSE(fs::exists(dir + "/staging"));
  }
}

TEST(TempFiles, AtomicWritesLeaveNoTemporaryAndUnregister) {
  const std::string dir = test::scratch_dir("temp_files_atomic");
  write_text_atomically(dir + "/a.txt", "done");
  EXPECT_EQ(read_text_file(dir + "/a.txt"), "done");
  EXPECT_FALSE(fs::exists(temporary_path_for(dir + "/a.txt")));
}

}  // namespace
}  // namespace osc
