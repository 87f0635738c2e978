// Checkpoints through the CLI: an uninterrupted run's loss curve is reproduced bit for bit by a run
// that is killed (SIGKILL, possibly in the middle of a checkpoint write) and resumed; torn files
// from a write that never committed are ignored; identical seeds give identical curves.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "core/text_file.h"
#include "support/shared_data.h"

namespace osc::train {
namespace {

namespace fs = std::filesystem;

const std::string kModel = " --layers 2 --heads 2 --dim 64 --ctx 16 --batch 2 --steps 40 --warmup 4 --lr 3e-3"
                           " --eval-every 5 --eval-batches 2 --ckpt-every 1 --seed 3";

std::string make_dataset() {
  const std::string dir = test::scratch_dir("train_resume_data");
  std::string text;
  for (int i = 0; i < 400; ++i) text += "the quick brown fox " + std::to_string(i * 7 % 13) + " jumps. ";
  std::ofstream(dir + "/doc.txt") << text;
  std::string out;
  const int rc = test::run_command(test::cli_path() + " prepare --tokenizer byte " + dir + "/doc.txt --out " + dir + "/data", &out);
  EXPECT_EQ(rc, 0) << out;
  return dir + "/data";
}

// step,loss,val_loss columns (tokens/s and timing differ between runs).
std::vector<std::string> loss_curve(const std::string& run) {
  std::vector<std::string> rows;
  std::istringstream in(read_text_file(run + "/log.csv"));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    size_t cut = 0;
    for (int commas = 0; commas < 3; ++commas) cut = line.find(',', cut) + 1;
    rows.push_back(line.substr(0, cut));
  }
  return rows;
}

// One thread: a step is then dominated by the checkpoint write, where the kills should land.
std::string train_command(const std::string& data, const std::string& run, const std::string& extra = "",
                          int threads = 1) {
  return test::cli_path() + " --quiet train --data " + data + " --out " + run + kModel + extra + " --threads " +
         std::to_string(threads);
}

// Starts the command, SIGKILLs it after `ms` milliseconds (if still running).
void run_and_kill(const std::string& command, int ms) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + command + " > /dev/null 2>&1").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

TEST(TrainResume, KilledRunsResumeToTheUninterruptedCurve) {
  const std::string data = make_dataset();
  const std::string base = test::scratch_dir("train_resume_runs");
  std::string out;
  ASSERT_EQ(test::run_command(train_command(data, base + "/reference"), &out), 0) << out;
  const std::vector<std::string> reference = loss_curve(base + "/reference");
  ASSERT_EQ(reference.size(), 40u);
  ASSERT_EQ(test::run_command(train_command(data, base + "/again"), &out), 0) << out;
  EXPECT_EQ(loss_curve(base + "/again"), reference) << "same seed, same threads: same curve";
  for (const char* name : {"/two_a", "/two_b"})
    ASSERT_EQ(test::run_command(train_command(data, base + name, " --stop-at 10", 2), &out), 0) << out;
  EXPECT_EQ(loss_curve(base + "/two_a"), loss_curve(base + "/two_b")) << "two threads: also reproducible";

  // Checkpoints are written every step, so most kills land inside a checkpoint write. --resume
  // needs a checkpoint: a kill before the first one leaves a run to start afresh.
  const std::string run = base + "/killed";
  const auto resume_if_checkpointed = [&] { return fs::exists(run + "/checkpoint.json") ? " --resume" : ""; };
  for (int ms : {300, 600, 900}) run_and_kill(train_command(data, run, resume_if_checkpointed()), ms);
  ASSERT_EQ(test::run_command(train_command(data, run, resume_if_checkpointed()), &out), 0) << out;
  EXPECT_EQ(loss_curve(run), reference);
  EXPECT_TRUE(fs::exists(run + "/export/model.safetensors"));
  EXPECT_TRUE(fs::exists(run + "/export/config.json"));
}

TEST(TrainResume, TornCheckpointWriteIsIgnored) {
  const std::string data = make_dataset();
  const std::string base = test::scratch_dir("train_resume_torn");
  std::string out;
  ASSERT_EQ(test::run_command(train_command(data, base + "/reference"), &out), 0) << out;
  const std::string run = base + "/torn";
  ASSERT_EQ(test::run_command(train_command(data, run, " --stop-at 17"), &out), 0) << out;
  ASSERT_EQ(loss_curve(run).size(), 17u);
  // What a kill between the tensor file and the commit leaves: a newer tensor file (here cut
  // short) and a temporary file, neither named by checkpoint.json.
  std::ofstream(run + "/checkpoint-99999999.safetensors") << "\x10\x00\x00\x00";
  std::ofstream(run + "/checkpoint-99999999.safetensors.tmp.1") << "partial";
  ASSERT_EQ(test::run_command(train_command(data, run, " --resume"), &out), 0) << out;
  EXPECT_EQ(loss_curve(run), loss_curve(base + "/reference"));
}

TEST(TrainResume, RefusesToOverwriteARunWithoutResume) {
  const std::string data = make_dataset();
  const std::string run = test::scratch_dir("train_resume_refuse") + "/run";
  std::string out;
  ASSERT_EQ(test::run_command(train_command(data, run), &out), 0) << out;
  EXPECT_EQ(test::run_command(train_command(data, run), &out), 2) << out;
  EXPECT_NE(out.find("--resume"), std::string::npos) << out;
}

TEST(TrainResume, ResumingAFinishedRunTrainsNothingAndSaysSo) {
  const std::string data = make_dataset();
  const std::string run = test::scratch_dir("train_resume_finished") + "/run";
  std::string out;
  ASSERT_EQ(test::run_command(train_command(data, run), &out), 0) << out;
  const auto curve = loss_curve(run);
  ASSERT_EQ(test::run_command(train_command(data, run, " --resume"), &out), 0) << out;
  EXPECT_NE(out.find("nothing to train: the run is at step 40"), std::string::npos) << out;
  EXPECT_EQ(out.find("tokens/s"), std::string::npos) << out;
  EXPECT_EQ(loss_curve(run), curve);
}

}  // namespace
}  // namespace osc::train
