// Hook selection: glob matching by hand-chosen cases, and HookSet storing only what was asked.
#include <gtest/gtest.h>

#include <vector>

#include "hooks/glob.h"
#include "hooks/hook_set.h"

namespace osc {
namespace {

TEST(Glob, Matches) {
  EXPECT_TRUE(glob_match("blocks.*.hook_resid_post", "blocks.12.hook_resid_post"));
  EXPECT_FALSE(glob_match("blocks.*.hook_resid_post", "blocks.12.hook_resid_pre"));
  EXPECT_TRUE(glob_match("blocks.2.mlp.*", "blocks.2.mlp.hook_post"));
  EXPECT_FALSE(glob_match("blocks.2.mlp.*", "blocks.20.mlp.hook_post"));
  EXPECT_TRUE(glob_match("*", "hook_logits"));
  EXPECT_TRUE(glob_match("blocks.?.attn.hook_*", "blocks.3.attn.hook_pattern"));
  EXPECT_FALSE(glob_match("blocks.?.attn.hook_*", "blocks.13.attn.hook_pattern"));
  EXPECT_TRUE(glob_match("*hook_q", "blocks.0.attn.hook_q"));
  EXPECT_FALSE(glob_match("*hook_q", "blocks.0.attn.hook_rot_q_x"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(HookSet, CapturesOnlySelectedPointsInOrder) {
  HookSet hooks;
  hooks.capture("blocks.*.hook_resid_post");
  std::vector<float> a = {1, 2, 3, 4}, b = {5, 6};
  hooks.on("blocks.0.hook_resid_pre", a.data(), {2, 2});
  hooks.on("blocks.1.hook_resid_post", a.data(), {2, 2});
  hooks.on("blocks.0.hook_resid_post", b.data(), {1, 2});
  EXPECT_EQ(hooks.captured().size(), 2u);
  EXPECT_EQ(hooks.captured_order(), (std::vector<std::string>{"blocks.1.hook_resid_post", "blocks.0.hook_resid_post"}));
  a[0] = 100;  // the capture is a copy
  EXPECT_EQ(hooks.get("blocks.1.hook_resid_post").data, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(hooks.get("blocks.0.hook_resid_post").shape, (Shape{1, 2}));
  EXPECT_THROW(hooks.get("blocks.0.hook_resid_pre"), std::exception);
}

TEST(HookSet, ActiveAndUnmatchedPatterns) {
  HookSet hooks;
  EXPECT_TRUE(hooks.empty());
  hooks.capture("blocks.*.attn.hook_pattern");
  hooks.capture("no.such.hook");
  hooks.intervene(parse_intervention("blocks.1.hook_resid_post:zero"));
  EXPECT_TRUE(hooks.active("blocks.3.attn.hook_pattern"));
  EXPECT_TRUE(hooks.active("blocks.1.hook_resid_post"));
  EXPECT_FALSE(hooks.captures("blocks.1.hook_resid_post"));
  EXPECT_FALSE(hooks.active("blocks.1.hook_resid_pre"));
  std::vector<float> x = {1};
  hooks.on("blocks.0.attn.hook_pattern", x.data(), {1, 1, 1});
  EXPECT_EQ(hooks.unmatched_patterns(), (std::vector<std::string>{"no.such.hook", "blocks.1.hook_resid_post"}));
}

TEST(HookSet, InterventionAppliesBeforeCapture) {
  HookSet hooks;
  hooks.capture("h");
  hooks.intervene(parse_intervention("h:scale:channel=1,factor=10"));
  std::vector<float> x = {1, 2, 3, 4};  // [2, 2]
  hooks.on("h", x.data(), {2, 2});
  EXPECT_EQ(x, (std::vector<float>{1, 20, 3, 40}));
  EXPECT_EQ(hooks.get("h").data, x);
}

}  // namespace
}  // namespace osc
