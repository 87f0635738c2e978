// MPT: ALiBi added after the softmax scale (unlike Falcon-RW, model_falcon_test.cpp), fused Wqkv,
// LayerNorm without bias, no linear biases. 4 heads, and 12 so that non-power-of-two slopes show.
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within kReferenceTolerance (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

class MptReference : public ::testing::TestWithParam<std::string> {};

TEST_P(MptReference, EveryHookAndLogitsMatch) { test::check_against_reference("mpt", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Dtypes, MptReference, ::testing::Values("f32", "bf16"));

TEST(MptReference12Heads, EveryHookAndLogitsMatch) { test::check_against_reference("mpt", "f32", "--heads 12 --d-model 96"); }

}  // namespace
}  // namespace osc
