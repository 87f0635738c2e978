// Attention against PyTorch (explicit softmax(QKᵀ·scale + mask + bias) V with repeated KV heads),
// for GQA, a sliding window, ALiBi and Falcon-RW's ALiBi (bf16 bias added before the scale),
// comparing z, the scaled logits and the pattern; plus a hand-computed two-token case.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <vector>

#include "kernels/alibi.h"
#include "kernels/attention.h"
#include "support/shared_data.h"

namespace osc {
namespace {

constexpr int64_t kT = 150, kH = 4, kKV = 2, kD = 8;

const char* kScript = R"PY(
import sys, math, torch
out = sys.argv[1]
T, H, KV, D = 150, 4, 2, 8
torch.manual_seed(1)
q, k, v = torch.randn(T, H, D), torch.randn(T, KV, D), torch.randn(T, KV, D)
for name, t in (("q", q), ("k", k), ("v", v)): t.numpy().tofile(out + "/" + name + ".bin")
def slopes(n, bias_max=8.0):
    p = 2 ** math.ceil(math.log2(n))
    s = torch.tensor([2.0 ** (-bias_max * (i + 1) / p) for i in range(p)])
    return s if p == n else torch.cat([s[1::2], s[::2]])[:n]
def run(tag, window=None, alibi=False, falcon_alibi=False):
    kk = k.repeat_interleave(H // KV, dim=1).transpose(0, 1)  # [H, T, D]
    vv = v.repeat_interleave(H // KV, dim=1).transpose(0, 1)
    s = q.transpose(0, 1) @ kk.transpose(1, 2)  # [H, T, T]
    i = torch.arange(T)[:, None]; j = torch.arange(T)[None, :]
    if falcon_alibi:  # HF Falcon-RW: (q.k + bf16(bf16(slope) * j)) / sqrt(D)
        s = s + (slopes(H)[:, None, None].bfloat16() * j[None]).float()
    s = s / math.sqrt(D)
    if alibi: s = s + slopes(H)[:, None, None] * (j - i).float()
    mask = j > i
    if window is not None: mask = mask | (i - j >= window)
    s = s.masked_fill(mask, float("-inf"))
    p = torch.softmax(s, dim=-1)
    z = (p @ vv).transpose(0, 1)
    s.numpy().tofile(out + "/" + tag + "_scores.bin")
    p.numpy().tofile(out + "/" + tag + "_pattern.bin")
    z.contiguous().numpy().tofile(out + "/" + tag + "_z.bin")
run("causal"); run("window", window=16); run("alibi", alibi=True); run("falcon", falcon_alibi=True)
)PY";

std::vector<float> read_f32(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  std::vector<float> v(static_cast<size_t>(in.tellg()) / 4);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isinf(want[i])) {
      ASSERT_EQ(got[i], want[i]) << what << " " << i;
      continue;
    }
    ASSERT_NEAR(got[i], want[i], 1e-5 * (1 + std::fabs(want[i]))) << what << " " << i;
  }
}

class AttentionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = test::scratch_dir("kernels_attention");
    std::ofstream(dir_ + "/ref.py") << kScript;
    std::string out;
    ASSERT_EQ(test::run_command(test::python() + " " + dir_ + "/ref.py " + dir_, &out), 0) << out;
  }
  void check(const std::string& tag, AttentionParams p, bool with_matrices) {
    const auto q = read_f32(dir_ + "/q.bin"), k = read_f32(dir_ + "/k.bin"), v = read_f32(dir_ + "/v.bin");
    AttentionShape s{kT, kT, kH, kKV, kD};
    p.scale = 1.0f / std::sqrt(static_cast<float>(kD));
    std::vector<float> z(static_cast<size_t>(kT * kH * kD));
    std::vector<float> scores(static_cast<size_t>(kH * kT * kT)), pattern(scores.size());
    attention(q.data(), k.data(), v.data(), s, p, z.data(), with_matrices ? scores.data() : nullptr,
              with_matrices ? pattern.data() : nullptr);
    expect_close(z, read_f32(dir_ + "/" + tag + "_z.bin"), "z");
    if (!with_matrices) return;
    expect_close(scores, read_f32(dir_ + "/" + tag + "_scores.bin"), "scores");
    expect_close(pattern, read_f32(dir_ + "/" + tag + "_pattern.bin"), "pattern");
  }
  static std::string dir_;
};
std::string AttentionTest::dir_;

TEST_F(AttentionTest, CausalGqaStreaming) { check("causal", {}, false); }
TEST_F(AttentionTest, CausalGqaWithMatrices) { check("causal", {}, true); }

TEST_F(AttentionTest, SlidingWindow) {
  AttentionParams p;
  p.sliding_window = 16;
  check("window", p, true);
  check("window", p, false);
}

TEST_F(AttentionTest, Alibi) {
  const std::vector<float> slopes = alibi_slopes(kH);
  AttentionParams p;
  p.alibi_slopes = slopes.data();
  check("alibi", p, true);
}

TEST_F(AttentionTest, FalconRwAlibiBeforeTheScale) {
  ModelConfig c;
  c.n_heads = kH;
  c.positional = Positional::ALiBi;
  c.alibi_style = AlibiStyle::FalconRW;
  const std::vector<float> slopes = model_alibi_slopes(c);
  AttentionParams p;
  p.scale = 1.0f / std::sqrt(static_cast<float>(kD));
  use_model_alibi(c, slopes, p);
  check("falcon", p, true);
  check("falcon", p, false);
}

TEST(Attention, TwoTokensByHand) {
  // One head, d=1: q = [1, 2], k = [0, 1], v = [10, 20], scale 1.
  // Token 0 sees only key 0 → z = 10. Token 1: logits [0, 2] → p = [1, e²]/(1+e²).
  const std::vector<float> q = {1, 2}, k = {0, 1}, v = {10, 20};
  std::vector<float> z(2), scores(4), pattern(4);
  attention(q.data(), k.data(), v.data(), {2, 2, 1, 1, 1}, {}, z.data(), scores.data(), pattern.data());
  const double e2 = std::exp(2.0);
  EXPECT_FLOAT_EQ(z[0], 10.0f);
  EXPECT_NEAR(z[1], (10 + 20 * e2) / (1 + e2), 1e-5);
  EXPECT_EQ(scores[1], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(pattern[1], 0.0f);
  EXPECT_NEAR(pattern[3], e2 / (1 + e2), 1e-6);
}

TEST(Alibi, SlopesPowerOfTwoAndNot) {
  const auto s8 = alibi_slopes(8);
  EXPECT_FLOAT_EQ(s8[0], 0.5f);
  EXPECT_FLOAT_EQ(s8[7], 1.0f / 256);
  // 6 heads: slopes of 8 heads [2^-1 .. 2^-8]; odd positions 2^-2,2^-4,2^-6,2^-8 then 2^-1,2^-3.
  const auto s6 = alibi_slopes(6);
  EXPECT_FLOAT_EQ(s6[0], 0.25f);
  EXPECT_FLOAT_EQ(s6[4], 0.5f);
  EXPECT_FLOAT_EQ(s6[5], 0.125f);
}

}  // namespace
}  // namespace osc
