// Fake quantization and pruning against tests/reference/compress_ref.py (torch from definitions).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <vector>

#include "experiment/compress.h"
#include "support/shared_data.h"

namespace osc::experiment {
namespace {

constexpr int64_t kRows = 24, kCols = 40;

std::vector<float> read_f32(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<float> v(kRows * kCols);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  EXPECT_TRUE(in.good()) << path;
  return v;
}

class CompressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::scratch_dir("compress");
    test::run_reference("compress_ref.py", dir_);
    input_ = read_f32(dir_ + "/input.f32");
  }
  void expect_equal(const std::vector<float>& got, const std::string& name) {
    auto want = read_f32(dir_ + "/" + name);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-6f * (1 + std::fabs(want[i]))) << name << " at " << i;
  }
  std::string dir_;
  std::vector<float> input_;
};

TEST_F(CompressTest, PerTensorInt8MatchesTorch) {
  auto w = input_;
  fake_quant_int8_per_tensor(w);
  expect_equal(w, "per_tensor.f32");
}

TEST_F(CompressTest, PerRowInt8MatchesTorch) {
  auto w = input_;
  fake_quant_int8_per_row(w, kCols);
  expect_equal(w, "per_row.f32");
}

TEST_F(CompressTest, MagnitudePruningMatchesTorch) {
  auto w = input_;
  prune_by_magnitude(w, 0.5);
  expect_equal(w, "pruned.f32");
  size_t zeros = 0;
  for (float v : w) zeros += (v == 0.0f);
  EXPECT_GE(zeros, w.size() / 2);
}

}  // namespace
}  // namespace osc::experiment
