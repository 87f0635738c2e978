// GPT-NeoX: parallel residual with two norms, partial rotary 0.25, per-head interleaved fused qkv.
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within kReferenceTolerance (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

class GptNeoxReference : public ::testing::TestWithParam<std::string> {};

TEST_P(GptNeoxReference, EveryHookAndLogitsMatch) { test::check_against_reference("gpt_neox", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Dtypes, GptNeoxReference, ::testing::Values("f32", "bf16"));

}  // namespace
}  // namespace osc
