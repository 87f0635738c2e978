// OPT: learned positions offset by 2, ReLU MLP, tied head.
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within kReferenceTolerance (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

class OptReference : public ::testing::TestWithParam<std::string> {};

TEST_P(OptReference, EveryHookAndLogitsMatch) { test::check_against_reference("opt", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Dtypes, OptReference, ::testing::Values("f32", "bf16"));

}  // namespace
}  // namespace osc
