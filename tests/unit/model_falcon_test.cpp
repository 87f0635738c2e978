// Falcon in its three layouts: 7B (parallel block, one norm, multi-query, qkv [q..., k, v]), 40B
// (new decoder architecture: ln_attn + ln_mlp, grouped-query qkv interleaved per kv group) and RW
// (sequential, ALiBi added to q·k before the 1/sqrt(d_head) scale and built in bf16, biases; 12
// heads so that the slopes beyond the closest power of two, 2^-0.5·k, round in bf16).
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within kReferenceTolerance (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

struct Case {
  std::string arch, dtype, extra_args;
};

constexpr const char* kTwelveHeads = "--heads 12 --d-model 96";

class FalconReference : public ::testing::TestWithParam<Case> {};

TEST_P(FalconReference, EveryHookAndLogitsMatch) {
  test::check_against_reference(GetParam().arch, GetParam().dtype, GetParam().extra_args);
}

INSTANTIATE_TEST_SUITE_P(Layouts, FalconReference,
                         ::testing::Values(Case{"falcon7b", "f32", ""}, Case{"falcon7b", "bf16", ""},
                                           Case{"falcon40b", "f32", ""}, Case{"falcon40b", "bf16", ""},
                                           Case{"falconrw", "f32", kTwelveHeads}, Case{"falconrw", "bf16", kTwelveHeads}),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.arch + "_" + info.param.dtype; });

}  // namespace
}  // namespace osc
