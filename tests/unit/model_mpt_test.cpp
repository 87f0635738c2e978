// MPT: ALiBi, fused Wqkv, LayerNorm without bias, no linear biases.
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within 1e-4 relative error (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

class MptReference : public ::testing::TestWithParam<std::string> {};

TEST_P(MptReference, EveryHookAndLogitsMatch) { test::check_against_reference("mpt", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Dtypes, MptReference, ::testing::Values("f32", "bf16"));

}  // namespace
}  // namespace osc
