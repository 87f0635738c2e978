// RoPE against PyTorch: HF LLaMA's rotate_half, GPT-J's interleaved pairs, partial rotary, and the
// "linear" and "llama3" frequency scalings, each written out in the reference script from their
// published definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <vector>

#include "kernels/rope.h"
#include "support/shared_data.h"

namespace osc {
namespace {

constexpr int64_t kT = 200, kH = 3, kD = 16;

const char* kScript = R"PY(
import sys, math, torch
out = sys.argv[1]
T, H, D = 200, 3, 16
torch.manual_seed(0)
x = torch.randn(T, H, D)
x.numpy().tofile(out + "/x.bin")
def inv_freq(dims, theta):
    return 1.0 / (theta ** (torch.arange(0, dims, 2, dtype=torch.int64).float() / dims))
def llama3(inv, factor, low, high, old):
    lw, hw = old / low, old / high
    wl = 2 * math.pi / inv
    r = torch.where(wl > lw, inv / factor, inv)
    smooth = (old / wl - low) / (high - low)
    sm = (1 - smooth) * r / factor + smooth * r
    med = ~(wl < hw) & ~(wl > lw)
    return torch.where(med, sm, r)
def rotate_half(v):
    h = v.shape[-1] // 2
    return torch.cat((-v[..., h:], v[..., :h]), dim=-1)
def rope_half(x, inv, rot):
    pos = torch.arange(T).float()
    f = torch.outer(pos, inv)
    emb = torch.cat((f, f), dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    r, p = x[..., :rot], x[..., rot:]
    return torch.cat((r * cos + rotate_half(r) * sin, p), dim=-1)
def rope_interleaved(x, inv):
    pos = torch.arange(T).float()
    f = torch.outer(pos, inv)
    cos, sin = f.cos()[:, None, :], f.sin()[:, None, :]
    a, b = x[..., 0::2], x[..., 1::2]
    y = torch.empty_like(x)
    y[..., 0::2] = a * cos - b * sin
    y[..., 1::2] = b * cos + a * sin
    return y
rope_half(x, inv_freq(D, 10000.0), D).numpy().tofile(out + "/half.bin")
rope_interleaved(x, inv_freq(D, 10000.0)).numpy().tofile(out + "/interleaved.bin")
rope_half(x, inv_freq(8, 10000.0), 8).numpy().tofile(out + "/partial.bin")
rope_half(x, inv_freq(D, 10000.0) / 4.0, D).numpy().tofile(out + "/linear.bin")
rope_half(x, llama3(inv_freq(D, 500000.0), 8.0, 1.0, 4.0, 64), D).numpy().tofile(out + "/llama3.bin")
)PY";

std::vector<float> read_f32(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::vector<float> v(static_cast<size_t>(in.tellg()) / 4);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

class RopeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = test::scratch_dir("kernels_rope");
    std::ofstream(dir_ + "/ref.py") << kScript;
    std::string out;
    ASSERT_EQ(test::run_command(test::python() + " " + dir_ + "/ref.py " + dir_, &out), 0) << out;
  }
  void check(const RopeParams& p, const std::string& expected_file) {
    std::vector<float> x = read_f32(dir_ + "/x.bin");
    ASSERT_EQ(x.size(), static_cast<size_t>(kT * kH * kD));
    apply_rope(x.data(), kT, kH, kD, p);
    const std::vector<float> expected = read_f32(dir_ + "/" + expected_file);
    // PyTorch rounds the angles to f32 (error ~1e-5 rad at position 200); the kernel uses f64.
    for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(x[i], expected[i], 1e-4 * (1 + std::fabs(expected[i]))) << i;
  }
  static std::string dir_;
};
std::string RopeTest::dir_;

RopeParams params(int64_t dims, double theta, bool interleaved) {
  RopeParams p;
  p.rotary_dims = dims;
  p.theta = theta;
  p.interleaved = interleaved;
  return p;
}

TEST_F(RopeTest, RotateHalf) { check(params(kD, 10000.0, false), "half.bin"); }
TEST_F(RopeTest, Interleaved) { check(params(kD, 10000.0, true), "interleaved.bin"); }
TEST_F(RopeTest, PartialRotary) { check(params(8, 10000.0, false), "partial.bin"); }

TEST_F(RopeTest, LinearScaling) {
  RopeParams p = params(kD, 10000.0, false);
  p.scaling.type = "linear";
  p.scaling.factor = 4.0;
  check(p, "linear.bin");
}

TEST_F(RopeTest, Llama3Scaling) {
  RopeParams p = params(kD, 500000.0, false);
  p.scaling.type = "llama3";
  p.scaling.factor = 8.0;
  p.scaling.original_max_position_embeddings = 64;
  check(p, "llama3.bin");
}

TEST(Rope, PositionZeroIsIdentityAndOffsetsShift) {
  std::vector<float> x = {1, 2, 3, 4};
  apply_rope(x.data(), 1, 1, 4, params(4, 10000.0, false));
  EXPECT_EQ(x, (std::vector<float>{1, 2, 3, 4}));
  // At position 1 the first pair rotates by 1 radian: (1, 3) → (cos1 - 3 sin1, 3 cos1 + sin1).
  apply_rope(x.data(), 1, 1, 4, params(4, 10000.0, false), 1);
  EXPECT_NEAR(x[0], std::cos(1.0) - 3 * std::sin(1.0), 1e-6);
  EXPECT_NEAR(x[2], 3 * std::cos(1.0) + std::sin(1.0), 1e-6);
}

TEST(Rope, RejectsOddRotaryDims) {
  std::vector<float> x(4);
  EXPECT_THROW(apply_rope(x.data(), 1, 1, 4, params(3, 10000.0, false)), std::exception);
}

}  // namespace
}  // namespace osc
