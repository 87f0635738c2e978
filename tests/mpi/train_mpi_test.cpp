// `mpirun -np 2 outlierscope train` on loopback against single-process runs of the same global
// batch (the single-process trainer is itself checked against PyTorch in train_gradients_test):
// 2 ranks x 1 thread split the batch exactly as 1 process x 2 threads and add the gradients in the
// same order, so their logs agree bit for bit; against 1 process x 1 thread (another summation
// order) the losses agree within 1e-6 relative (measured: 1.2e-7 over 50 steps). Resuming switches
// between 1 and 2 ranks freely, and `experiment variants` on 2 ranks measures what one process does.
// Failures on one rank (mismatched command lines, a killed rank) end the whole job, never hang.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/text_file.h"
#include "support/shared_data.h"

namespace osc::train {
namespace {

namespace fs = std::filesystem;

const std::string kShape = " --layers 2 --heads 2 --dim 64 --ctx 16 --warmup 2 --lr 3e-3 --eval-batches 2";

// What the tests vary; the defaults are the run that every test trains.
struct RunSpec {
  int threads = 1;
  std::string extra;  // --stop-at, --resume
  int64_t batch = 4, steps = 12, eval_every = 4, ckpt_every = 4, seed = 5;
};

RunSpec spec(int threads, const std::string& extra = "") {
  RunSpec r;
  r.threads = threads, r.extra = extra;
  return r;
}

std::string mpirun(int ranks) {
  return std::string(OUTLIERSCOPE_MPIEXEC) + " -np " + std::to_string(ranks) + " ";
}

std::string make_dataset() {
  const std::string dir = test::scratch_dir("train_mpi_data");
  std::string text;
  for (int i = 0; i < 300; ++i) text += "a rank trains " + std::to_string(i * 5 % 11) + " sequences. ";
  std::ofstream(dir + "/doc.txt") << text;
  std::string out;
  // The dataset goes into its own folder: an output folder may not hold the command's input.
  EXPECT_EQ(test::run_command(test::cli_path() + " prepare --tokenizer byte " + dir + "/doc.txt --out " + dir + "/data", &out), 0)
      << out;
  return dir + "/data";
}

std::string train(const std::string& data, const std::string& folder, const RunSpec& r) {
  return test::cli_path() + " --quiet train --data " + data + " --out " + folder + kShape + " --threads " +
         std::to_string(r.threads) + " --batch " + std::to_string(r.batch) + " --steps " + std::to_string(r.steps) +
         " --eval-every " + std::to_string(r.eval_every) + " --ckpt-every " + std::to_string(r.ckpt_every) +
         " --seed " + std::to_string(r.seed) + r.extra;
}

// Rows of log.csv without the last column (tokens/s differs between runs).
std::vector<std::string> curve(const std::string& run) {
  std::vector<std::string> rows;
  std::istringstream in(read_text_file(run + "/log.csv"));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) rows.push_back(line.substr(0, line.rfind(',')));
  return rows;
}

// Column `column` (1: loss, 4: grad_norm) of every row.
std::vector<double> column(const std::vector<std::string>& rows, int column) {
  std::vector<double> values;
  for (const auto& row : rows) {
    std::istringstream fields(row);
    std::string field;
    for (int c = 0; c <= column; ++c) std::getline(fields, field, ',');
    values.push_back(std::stod(field));
  }
  return values;
}

TEST(TrainMpi, TwoRanksTrainTheSingleProcessCurve) {
  const std::string data = make_dataset();
  const std::string base = test::scratch_dir("train_mpi_equal");
  std::string out;
  ASSERT_EQ(test::run_command(train(data, base + "/one_by_two", spec(2)), &out), 0) << out;
  ASSERT_EQ(test::run_command(train(data, base + "/one_by_one", {}), &out), 0) << out;
  ASSERT_EQ(test::run_command(mpirun(2) + train(data, base + "/two_by_one", {}), &out), 0) << out;
  // Rank 0 alone reports and writes: one summary line, one log row per step.
  EXPECT_EQ(out.find("trained 12 steps"), out.rfind("trained 12 steps")) << out;
  const auto two_ranks = curve(base + "/two_by_one");
  ASSERT_EQ(two_ranks.size(), 12u);
  EXPECT_EQ(two_ranks, curve(base + "/one_by_two")) << "2 ranks x 1 thread = 1 rank x 2 threads, bit for bit";
  const auto loss = column(two_ranks, 1), reference = column(curve(base + "/one_by_one"), 1);
  ASSERT_EQ(loss.size(), reference.size());
  for (size_t i = 0; i < loss.size(); ++i) EXPECT_NEAR(loss[i], reference[i], 1e-6 * reference[i]) << "step " << i + 1;
  EXPECT_LT(loss.back(), loss.front()) << "it learns";
  EXPECT_TRUE(fs::exists(base + "/two_by_one/export/model.safetensors"));
  EXPECT_TRUE(fs::exists(base + "/two_by_one/checkpoint.json"));

  ASSERT_EQ(test::run_command(mpirun(2) + train(data, base + "/again", {}), &out), 0) << out;
  EXPECT_EQ(curve(base + "/again"), two_ranks) << "reproducible for a given ranks x threads";
}

// summary.csv without train_seconds (column 3, a timing).
std::vector<std::string> summary_without_timing(const std::string& out) {
  std::vector<std::string> rows;
  std::istringstream in(read_text_file(out + "/summary.csv"));
  std::string line;
  while (std::getline(in, line)) {
    const size_t second = line.find(',', line.find(',') + 1), third = line.find(',', second + 1);
    rows.push_back(line.substr(0, second) + line.substr(third));
  }
  return rows;
}

TEST(TrainMpi, VariantExperimentOnTwoRanksEqualsOneProcess) {
  const std::string data = make_dataset();
  const std::string base = test::scratch_dir("train_mpi_experiment");
  const std::string experiment = test::cli_path() + " --quiet experiment variants --data " + data +
                                 " --variants softmax,sigmoid --layers 2 --heads 2 --dim 32 --ctx 16 --batch 4"
                                 " --steps 6 --warmup 2 --eval-windows 8 --stats-windows 4 --no-figures --out ";
  std::string out;
  ASSERT_EQ(test::run_command(experiment + base + "/one --threads 2", &out), 0) << out;
  ASSERT_EQ(test::run_command(mpirun(2) + experiment + base + "/two --threads 1", &out), 0) << out;
  EXPECT_EQ(out.find("tables and figures"), out.rfind("tables and figures")) << "rank 0 alone reports:\n" << out;
  const auto one = summary_without_timing(base + "/one");
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(summary_without_timing(base + "/two"), one);
  EXPECT_EQ(read_text_file(base + "/two/layers.csv"), read_text_file(base + "/one/layers.csv"));
}

TEST(TrainMpi, ResumesWithAnotherNumberOfRanks) {
  const std::string data = make_dataset();
  const std::string base = test::scratch_dir("train_mpi_resume");
  std::string out;
  ASSERT_EQ(test::run_command(train(data, base + "/reference", spec(2)), &out), 0) << out;
  const auto reference = curve(base + "/reference");
  // 2 ranks -> 1 process (2 threads), and 1 process -> 2 ranks.
  ASSERT_EQ(test::run_command(mpirun(2) + train(data, base + "/shrink", spec(1, " --stop-at 6")), &out), 0) << out;
  ASSERT_EQ(test::run_command(train(data, base + "/shrink", spec(2, " --resume")), &out), 0) << out;
  EXPECT_EQ(curve(base + "/shrink"), reference);
  ASSERT_EQ(test::run_command(train(data, base + "/grow", spec(2, " --stop-at 6")), &out), 0) << out;
  ASSERT_EQ(test::run_command(mpirun(2) + train(data, base + "/grow", spec(1, " --resume")), &out), 0) << out;
  EXPECT_EQ(curve(base + "/grow"), reference);
}

TEST(TrainMpi, RanksWithDifferentCommandLinesStopWithAClearError) {
  const std::string data = make_dataset();
  const std::string run = test::scratch_dir("train_mpi_mismatch") + "/run";
  std::string out;
  // Multiple-program launch: rank 1 gets another seed.
  RunSpec other_seed;
  other_seed.seed = 6;
  const std::string command = std::string(OUTLIERSCOPE_MPIEXEC) + " -np 1 " + train(data, run, {}) +
                              " : -np 1 " + train(data, run, other_seed);
  EXPECT_NE(test::run_command(command, &out), 0) << out;
  EXPECT_NE(out.find("outlierscope (rank 1 of 2): error: ranks: rank 1's training options differ from rank 0's"),
            std::string::npos)
      << out;
}

TEST(TrainMpi, BatchSmallerThanTheRanksIsRejected) {
  const std::string data = make_dataset();
  const std::string run = test::scratch_dir("train_mpi_small_batch") + "/run";
  std::string out;
  RunSpec one_sequence;
  one_sequence.batch = 1;
  EXPECT_NE(test::run_command(mpirun(2) + train(data, run, one_sequence), &out), 0) << out;
  EXPECT_NE(out.find("--batch: 1 sequences cannot be shared by 2 ranks"), std::string::npos) << out;
}

TEST(TrainMpi, AKilledRankEndsTheJob) {
  const std::string data = make_dataset();
  const std::string run = test::scratch_dir("train_mpi_killed") + "/run";
  std::string out;
  // Rank 1 is killed (SIGKILL) after 3 s of a long run; rank 0 then waits in a gradient sum.
  RunSpec long_run;
  long_run.steps = 100000, long_run.eval_every = 0, long_run.ckpt_every = 0;
  const std::string command = std::string(OUTLIERSCOPE_MPIEXEC) + " -np 1 " + train(data, run, long_run) +
                              " : -np 1 timeout -s KILL 3 " + train(data, run, long_run);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(test::run_command(command, &out), 0) << out;
  EXPECT_EQ(out.find("trained"), std::string::npos) << out;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(seconds, 3.0) << "it failed before the kill:\n" << out;
  EXPECT_LT(seconds, 30.0) << "the job ended " << seconds << " s after start; a rank may have hung\n" << out;
}

}  // namespace
}  // namespace osc::train
