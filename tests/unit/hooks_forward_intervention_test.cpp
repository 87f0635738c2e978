// Interventions during a real forward pass (stories260K), checked by properties that follow from
// the architecture by hand: causality (an edit at token t leaves earlier tokens' logits bit-equal),
// RMSNorm of a zero vector is zero (so are its logits: no lm_head bias), and an all-zero attention
// pattern makes z and attn_out zero, so resid_mid equals resid_pre.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hooks/hook_set.h"
#include "model/model.h"
#include "support/shared_data.h"

namespace osc {
namespace {

class ForwardIntervention : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = test::shared_path("testdata/stories260K/stories260K.gguf");
    OSC_REQUIRE_SHARED(path);
    model_ = std::make_unique<Model>(Model::load(path));
    ids_ = model_->encode("Once upon a time, there was a cat.");
    base_ = model_->forward(ids_);
  }
  // Row `t` of logits [T, vocab].
  std::vector<float> row(const Tensor& logits, int64_t t) const {
    const int64_t V = model_->config().vocab_size;
    return std::vector<float>(logits.ptr() + t * V, logits.ptr() + (t + 1) * V);
  }
  std::unique_ptr<Model> model_;
  std::vector<int32_t> ids_;
  Tensor base_;
};

TEST_F(ForwardIntervention, ZeroLastResidualGivesZeroLogitsForThatTokenOnly) {
  HookSet hooks;
  hooks.intervene(parse_intervention("blocks.4.hook_resid_post:zero:token=0"));
  const Tensor logits = model_->forward(ids_, hooks);
  for (float v : row(logits, 0)) ASSERT_EQ(v, 0.0f);
  for (int64_t t = 1; t < static_cast<int64_t>(ids_.size()); ++t) ASSERT_EQ(row(logits, t), row(base_, t));
}

TEST_F(ForwardIntervention, EditIsCausal) {
  HookSet hooks;
  hooks.intervene(parse_intervention("blocks.0.hook_resid_pre:scale:token=3,factor=5"));
  const Tensor logits = model_->forward(ids_, hooks);
  for (int64_t t = 0; t < 3; ++t) ASSERT_EQ(row(logits, t), row(base_, t));
  EXPECT_NE(row(logits, 3), row(base_, 3));
  EXPECT_NE(row(logits, 5), row(base_, 5));
}

TEST_F(ForwardIntervention, ZeroPatternZeroesAttentionOutput) {
  HookSet hooks;
  hooks.intervene(parse_intervention("blocks.1.attn.hook_pattern:zero"));
  hooks.capture("blocks.1.*");
  model_->forward(ids_, hooks);
  for (float v : hooks.get("blocks.1.attn.hook_pattern").data) ASSERT_EQ(v, 0.0f);
  for (float v : hooks.get("blocks.1.attn.hook_z").data) ASSERT_EQ(v, 0.0f);
  for (float v : hooks.get("blocks.1.hook_attn_out").data) ASSERT_EQ(v, 0.0f);
  EXPECT_EQ(hooks.get("blocks.1.hook_resid_mid").data, hooks.get("blocks.1.hook_resid_pre").data);
}

TEST_F(ForwardIntervention, SettingACapturedValueChangesNothing) {
  HookSet first;
  first.capture("blocks.2.hook_resid_post");
  model_->forward(ids_, first);
  const float value = first.get("blocks.2.hook_resid_post").data[7];  // token 0, channel 7
  HookSet hooks;
  hooks.intervene(parse_intervention("blocks.2.hook_resid_post:set:token=0,channel=7,value=" + std::to_string(value)));
  const Tensor logits = model_->forward(ids_, hooks);
  // to_string rounds to 6 decimals: the logits move by far less than the edit's size.
  for (int64_t i = 0; i < logits.numel(); ++i) ASSERT_NEAR(logits.data[i], base_.data[i], 1e-4);
}

TEST_F(ForwardIntervention, AttentionMatricesOnlyWhenAsked) {
  HookSet hooks;
  hooks.capture("blocks.0.attn.hook_z");
  model_->forward(ids_, hooks);
  EXPECT_EQ(hooks.captured().size(), 1u);
}

}  // namespace
}  // namespace osc
