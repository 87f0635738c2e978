// The LLaMA family against the PyTorch reference (tests/reference/gen_model.py): a tiny random
// model per architecture, stored in f32 and in bf16, run at T = 9 and T = 200; every hook point
// the reference records and the logits must match (model_reference_check.h). qwen2sw: Qwen2 with
// use_sliding_window and max_window_layers 1, so layer 0 attends fully and layer 1 to 16 keys.
#include <gtest/gtest.h>

#include <string>

#include "model_reference_check.h"

namespace osc {
namespace {

struct Case {
  std::string arch, dtype;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) { return info.param.arch + "_" + info.param.dtype; }

class LlamaReference : public ::testing::TestWithParam<Case> {};

TEST_P(LlamaReference, EveryHookAndLogitsMatch) { test::check_against_reference(GetParam().arch, GetParam().dtype); }

INSTANTIATE_TEST_SUITE_P(Archs, LlamaReference,
                         ::testing::Values(Case{"llama", "f32"}, Case{"llama", "bf16"}, Case{"llama3", "f32"},
                                           Case{"llama3", "bf16"}, Case{"mistral", "f32"}, Case{"mistral", "bf16"},
                                           Case{"mixtral", "f32"}, Case{"mixtral", "bf16"}, Case{"qwen2", "f32"},
                                           Case{"qwen2", "bf16"}, Case{"qwen2sw", "f32"}, Case{"qwen2sw", "bf16"}),
                         case_name);

}  // namespace
}  // namespace osc
