// --compute bf16 (model/compute_precision.h) against the PyTorch reference run with the model in
// torch.bfloat16 (tests/reference/gen_model.py / run_checkpoint.py --compute bf16), on tiny
// random models of the supported families and on stories260K:
//   * every hook point and the logits within a bf16 tolerance (kHookTolerance below);
//   * the emulation is what makes them agree: the engine's bf16 pass reproduces most entries of
//     the first block's residual stream bit for bit and is on average several times closer to the
//     bf16 reference than its f32 pass, there and on every later resid_post and the logits (a
//     missing rounding point fails this, see expect_bf16_much_closer);
//   * families whose bf16 op order is not emulated are refused (BadInput), and f32 is unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "formats/safetensors.h"
#include "hooks/hook_set.h"
#include "hooks/hook_vocabulary.h"
#include "model/model.h"
#include "model_reference_check.h"
#include "support/shared_data.h"

namespace osc {
namespace {

// Tolerances. The engine and PyTorch sum the f32 products of a bf16 matmul in different orders, so
// now and then a sum lands on the other side of a bf16 rounding boundary (a near-tie); one ulp of a
// bf16 attention score of ~10 (0.0625) moves its probability by 6%, and later layers carry it on.
// Measured: at T = 9 every hook bit-identical except GPT-2 (one near-tie, below); at T = 200 at
// least 98.7% of the resid_post and logit entries identical. Every hook's worst entry stays within
// kHookTolerance of its max |x| (measured worst 1.2%).
constexpr double kHookTolerance = 1.0 / 32;
constexpr double kCloser = 5.0;

struct Pass {
  Tensor logits;
  HookSet hooks;
};

Pass run(const Model& m, const std::vector<int32_t>& ids) {
  Pass p;
  p.hooks.capture_all();
  p.logits = m.forward(ids, p.hooks);
  return p;
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v)
    if (std::isfinite(x)) m = std::max(m, static_cast<double>(std::fabs(x)));
  return m;
}

double mean_diff(const Tensor& got, const std::vector<float>& want) {
  double sum = 0;
  int64_t n = 0;
  for (int64_t i = 0; i < got.numel(); ++i)
    if (std::isfinite(want[i])) sum += std::fabs(static_cast<double>(got.data[i]) - want[i]), ++n;
  return n ? sum / static_cast<double>(n) : 0.0;
}

// Worst |engine - reference| <= kHookTolerance · max |reference| of the hook; -inf (masked scores)
// exactly where the reference has it.
void expect_within_bf16(const std::string& name, const Tensor& got, const std::vector<float>& want) {
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size()) << name;
  const double bound = kHookTolerance * max_abs(want);
  for (int64_t i = 0; i < got.numel(); ++i) {
    if (!std::isfinite(want[i])) {
      ASSERT_EQ(got.data[i], want[i]) << name << " [" << i << "]";
      continue;
    }
    ASSERT_LE(std::fabs(static_cast<double>(got.data[i]) - want[i]), bound)
        << name << " [" << i << "]: engine " << got.data[i] << ", PyTorch bf16 " << want[i];
  }
}

// Share of the finite reference entries that `got` reproduces bit for bit.
double identical_share(const Tensor& got, const std::vector<float>& want) {
  int64_t same = 0, n = 0;
  for (int64_t i = 0; i < got.numel(); ++i)
    if (std::isfinite(want[i])) same += got.data[i] == want[i], ++n;
  return n ? static_cast<double>(same) / static_cast<double>(n) : 1.0;
}

// How much closer the bf16 pass is to PyTorch bf16 than the f32 pass, on the hooks that carry the
// result. The first block's resid_post, before near-ties can spread: at least kIdentical of its
// entries bit for bit (the f32 pass: almost none) and kCloser times closer on average. Every later
// resid_post and the logits: kCloserLater times closer on average (GPT-2's LayerNorm spreads one
// flipped entry over its whole row at the next norm: measured 2.0 to 4.2 there, over 200 for the
// RMSNorm families).
constexpr double kIdentical = 0.75, kCloserLater = 1.5;

void expect_bf16_much_closer(const std::string& name, const Tensor& bf16, const Tensor& f32,
                             const std::vector<float>& want) {
  const double d_bf16 = mean_diff(bf16, want), d_f32 = mean_diff(f32, want);
  const bool first = name == hook_name(0, HookPoint::ResidPost);
  EXPECT_GE(d_f32, (first ? kCloser : kCloserLater) * d_bf16)
      << name << ": mean |bf16 pass - PyTorch bf16| " << d_bf16 << ", mean |f32 pass - PyTorch bf16| " << d_f32;
  if (!first) return;
  EXPECT_GE(identical_share(bf16, want), kIdentical) << name << ": entries equal to PyTorch bf16's";
  EXPECT_LT(identical_share(f32, want), 1 - kIdentical) << name << ": the f32 pass's entries equal to PyTorch bf16's";
}

void check_bf16_file(const Model& f32, const Model& bf16, const std::string& expected_path) {
  const SafetensorsContents expected = read_safetensors(expected_path);
  const std::vector<int32_t> ids = test::reference_input_ids(expected.tensors.get("input_ids", expected_path));
  const Pass b = run(bf16, ids), f = run(f32, ids);
  for (const auto& [name, view] : expected.tensors) {
    if (name == "input_ids") continue;
    const auto it = b.hooks.captured().find(name);
    ASSERT_NE(it, b.hooks.captured().end()) << "engine has no hook " << name;
    const std::vector<float> want = view.to_f32();
    expect_within_bf16(name, it->second, want);
    if (name.ends_with("hook_resid_post") || name == "hook_logits")
      expect_bf16_much_closer(name, it->second, f.hooks.get(name), want);
  }
  expect_within_bf16("logits (returned)", b.logits, expected.tensors.get("hook_logits", expected_path).to_f32());
}

Model bf16_model(const std::string& dir) {
  Model m = Model::load(dir);
  m.use_compute(Compute::BF16);
  return m;
}

void check_family(const std::string& arch, const std::string& dtype, const std::string& lengths) {
  const std::string dir = test::scratch_dir("bf16_" + arch + "_" + dtype);
  test::run_reference("gen_model.py", "--arch " + arch + " --dtype " + dtype + " --compute bf16 --out " + dir +
                                          " --lengths " + lengths);
  if (::testing::Test::HasFatalFailure()) return;
  const Model f32 = Model::load(dir), bf16 = bf16_model(dir);
  for (const std::string& T : {std::string("9"), std::string("200")}) {
    if (lengths.find(T) == std::string::npos) continue;
    SCOPED_TRACE(arch + " " + dtype + " T=" + T);
    check_bf16_file(f32, bf16, dir + "/expected_bf16_T" + T + ".safetensors");
  }
}

class Bf16Reference : public ::testing::TestWithParam<std::string> {};

TEST_P(Bf16Reference, HooksAndLogitsMatchPyTorchBf16) { check_family(GetParam(), "f32", "9,200"); }

INSTANTIATE_TEST_SUITE_P(Families, Bf16Reference, ::testing::Values("llama", "llama3", "mistral", "qwen2", "gpt2"));

TEST(Bf16Compute, Bf16StoredWeightsMatchPyTorchBf16) { check_family("llama", "bf16", "9,200"); }

// Mixtral: the router's softmax and top-k in f32, the bf16 routing weights and the per-expert bf16
// sum (at T = 200 two router logits lie one bf16 ulp apart: an engine whose logits differed from
// PyTorch's would route differently there).
TEST(Bf16Compute, MixtralMatchesPyTorchBf16) { check_family("mixtral", "f32", "9,200"); }

TEST(Bf16Compute, Stories260KMatchesPyTorchBf16) {
  const std::string hf = test::shared_path("testdata/stories260K/hf");
  OSC_REQUIRE_SHARED(hf);
  const std::string dir = test::scratch_dir("bf16_stories");
  for (const char* file : {"config.json", "model.safetensors"})
    std::filesystem::create_symlink(hf + "/" + file, dir + "/" + file);
  test::run_reference("run_checkpoint.py", "--model " + dir + " --compute bf16 --lengths 9,200");
  if (::testing::Test::HasFatalFailure()) return;
  const Model f32 = Model::load(dir), bf16 = bf16_model(dir);
  for (const char* T : {"9", "200"}) {
    SCOPED_TRACE(std::string("T=") + T);
    check_bf16_file(f32, bf16, dir + "/expected_bf16_T" + T + ".safetensors");
  }
}

TEST(Bf16Compute, RefusesFamiliesItDoesNotEmulate) {
  const std::string dir = test::scratch_dir("bf16_opt");
  test::run_reference("gen_model.py", "--arch opt --out " + dir + " --lengths 9");
  if (::testing::Test::HasFatalFailure()) return;
  Model m = Model::load(dir);
  try {
    m.use_compute(Compute::BF16);
    FAIL() << "opt must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("--compute bf16 supports"), std::string::npos) << e.what();
  }
  EXPECT_EQ(m.config().compute, Compute::F32);
}

}  // namespace
}  // namespace osc
