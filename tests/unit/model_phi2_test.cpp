// Phi-2: parallel block with one shared norm, partial rotary 0.4, gelu_new, lm_head bias; and
// with qk_layernorm (phi2qk): per-head LayerNorms on q and k before RoPE.
// Checked against tests/reference/gen_model.py (PyTorch) in f32 and bf16 at T = 9 and 200: every
// hook point and the logits within kReferenceTolerance (see model_reference_check.h).
#include "model_reference_check.h"

namespace osc {
namespace {

class Phi2Reference : public ::testing::TestWithParam<std::string> {};

TEST_P(Phi2Reference, EveryHookAndLogitsMatch) { test::check_against_reference("phi2", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Dtypes, Phi2Reference, ::testing::Values("f32", "bf16"));

class Phi2QkNormReference : public ::testing::TestWithParam<std::string> {};

TEST_P(Phi2QkNormReference, EveryHookAndLogitsMatch) { test::check_against_reference("phi2qk", GetParam()); }

INSTANTIATE_TEST_SUITE_P(Dtypes, Phi2QkNormReference, ::testing::Values("f32", "bf16"));

}  // namespace
}  // namespace osc
