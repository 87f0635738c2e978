// GPT-2: Conv1D weights stored [in, out] and the fused c_attn, learned positions, gelu_new.
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within kReferenceTolerance (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

class Gpt2Reference : public ::testing::TestWithParam<std::string> {};

TEST_P(Gpt2Reference, EveryHookAndLogitsMatch) { test::check_against_reference("gpt2", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Dtypes, Gpt2Reference, ::testing::Values("f32", "bf16"));

}  // namespace
}  // namespace osc
