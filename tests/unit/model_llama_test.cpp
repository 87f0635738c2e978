// The LLaMA family against the PyTorch reference (tests/reference/gen_model.py): a tiny random
// model per architecture, stored in f32 and in bf16, run at T = 9 and T = 200; every hook point
// the reference records and the logits must match within 1e-4 relative error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "formats/safetensors.h"
#include "hooks/hook_set.h"
#include "model/model.h"
#include "support/shared_data.h"

namespace osc {
namespace {

struct Case {
  std::string arch, dtype;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) { return info.param.arch + "_" + info.param.dtype; }

std::vector<int32_t> input_ids(const TensorView& v) {
  std::vector<int32_t> ids(static_cast<size_t>(v.numel()));
  std::copy_n(static_cast<const uint8_t*>(v.data), ids.size() * 4, reinterpret_cast<uint8_t*>(ids.data()));
  return ids;
}

// Relative error against the reference tensor's scale: |a - b| <= tol · (|b| + 1) element-wise,
// with -inf (masked scores) required exactly where the reference has it.
void expect_matches(const std::string& name, const Tensor& got, const TensorView& want) {
  ASSERT_EQ(got.shape, want.shape) << name;
  const std::vector<float> ref = want.to_f32();
  double worst = 0;
  int64_t worst_at = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    if (std::isinf(ref[i])) {
      ASSERT_EQ(got.data[i], ref[i]) << name << " [" << i << "]";
      continue;
    }
    const double err = std::fabs(got.data[i] - ref[i]) / (std::fabs(ref[i]) + 1.0);
    if (err > worst) {
      worst = err;
      worst_at = i;
    }
  }
  EXPECT_LE(worst, 1e-4) << name << " worst at flat index " << worst_at << ": got " << got.data[worst_at]
                         << " want " << ref[worst_at];
}

class LlamaReference : public ::testing::TestWithParam<Case> {};

TEST_P(LlamaReference, EveryHookAndLogitsMatch) {
  const Case& c = GetParam();
  const std::string dir = test::scratch_dir("model_llama_" + c.arch + "_" + c.dtype);
  test::run_reference("gen_model.py", "--arch " + c.arch + " --dtype " + c.dtype + " --out " + dir + " --lengths 9,200");
  if (HasFatalFailure()) return;
  const Model model = Model::load(dir);
  for (int T : {9, 200}) {
    SCOPED_TRACE("T=" + std::to_string(T));
    const SafetensorsContents expected = read_safetensors(dir + "/expected_T" + std::to_string(T) + ".safetensors");
    HookSet hooks;
    hooks.capture_all();
    const Tensor logits = model.forward(input_ids(expected.tensors.get("input_ids", dir)), hooks);
    std::set<std::string> reference_names;
    for (const auto& [name, view] : expected.tensors) {
      if (name == "input_ids") continue;
      reference_names.insert(name);
      auto it = hooks.captured().find(name);
      ASSERT_NE(it, hooks.captured().end()) << "engine has no hook " << name;
      expect_matches(name, it->second, view);
    }
    expect_matches("logits (returned)", logits, expected.tensors.get("hook_logits", dir));
    for (const auto& [name, t] : hooks.captured()) EXPECT_TRUE(reference_names.count(name)) << "extra hook " << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Archs, LlamaReference,
                         ::testing::Values(Case{"llama", "f32"}, Case{"llama", "bf16"}, Case{"llama3", "f32"},
                                           Case{"llama3", "bf16"}, Case{"mistral", "f32"}, Case{"mistral", "bf16"},
                                           Case{"mixtral", "f32"}, Case{"mixtral", "bf16"}, Case{"qwen2", "f32"},
                                           Case{"qwen2", "bf16"}),
                         case_name);

}  // namespace
}  // namespace osc
