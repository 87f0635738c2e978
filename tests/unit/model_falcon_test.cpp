// Falcon in both layouts: 7B (parallel block, one norm, multi-query, qkv [q..., k, v]) and 40B
// (new decoder architecture: ln_attn + ln_mlp, grouped-query qkv interleaved per kv group).
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within 1e-4 relative error (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

struct Case {
  std::string arch, dtype;
};

class FalconReference : public ::testing::TestWithParam<Case> {};

TEST_P(FalconReference, EveryHookAndLogitsMatch) { test::check_against_reference(GetParam().arch, GetParam().dtype); }

INSTANTIATE_TEST_SUITE_P(Layouts, FalconReference,
                         ::testing::Values(Case{"falcon7b", "f32"}, Case{"falcon7b", "bf16"}, Case{"falcon40b", "f32"},
                                           Case{"falcon40b", "bf16"}),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.arch + "_" + info.param.dtype; });

}  // namespace
}  // namespace osc
