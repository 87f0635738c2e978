// Intervention specs (parsing and its error messages) and their effect on a tensor, with
// expected values worked out by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "hooks/intervention.h"

namespace osc {
namespace {

std::string error_of(const std::string& spec) {
  try {
    parse_intervention(spec);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2);
    return e.what();
  }
  return "";
}

TEST(Intervention, ParsesTheDocumentedSyntax) {
  const Intervention iv = parse_intervention("blocks.1.hook_resid_post:zero:token=0,channel=12");
  EXPECT_EQ(iv.hook, "blocks.1.hook_resid_post");
  EXPECT_EQ(iv.op, InterventionOp::Zero);
  EXPECT_EQ(iv.token, 0);
  EXPECT_EQ(iv.channel, 12);
  const Intervention set = parse_intervention("blocks.*.mlp.hook_post:set:channel=3,value=-2.5");
  EXPECT_EQ(set.op, InterventionOp::Set);
  EXPECT_DOUBLE_EQ(set.value, -2.5);
  EXPECT_FALSE(set.token.has_value());
  EXPECT_EQ(parse_intervention("x:mean").op, InterventionOp::Mean);
  EXPECT_EQ(intervention_to_string(iv), "blocks.1.hook_resid_post:zero:token=0,channel=12");
}

TEST(Intervention, BadSpecsNameTheProblem) {
  EXPECT_NE(error_of("blocks.1.hook_resid_post").find("expected HOOK:OP"), std::string::npos);
  EXPECT_NE(error_of("h:explode").find("unknown operation 'explode'"), std::string::npos);
  EXPECT_NE(error_of("h:set:channel=1").find("set needs value=X"), std::string::npos);
  EXPECT_NE(error_of("h:scale").find("scale needs factor=X"), std::string::npos);
  EXPECT_NE(error_of("h:zero:token=-1").find("non-negative integer"), std::string::npos);
  EXPECT_NE(error_of("h:zero:row=1").find("unknown key 'row'"), std::string::npos);
  EXPECT_NE(error_of("h:set:value=abc").find("expected a number"), std::string::npos);
}

TEST(Intervention, ZeroSetScaleOnEntriesAndChannels) {
  std::vector<float> x = {1, 2, 3, 4, 5, 6};  // [T=2, 3]
  apply_intervention(parse_intervention("h:zero:token=1,channel=2"), "h", x.data(), {2, 3});
  EXPECT_EQ(x, (std::vector<float>{1, 2, 3, 4, 5, 0}));
  apply_intervention(parse_intervention("h:set:channel=0,value=7"), "h", x.data(), {2, 3});
  EXPECT_EQ(x, (std::vector<float>{7, 2, 3, 7, 5, 0}));
  apply_intervention(parse_intervention("h:scale:token=0,factor=0.5"), "h", x.data(), {2, 3});
  EXPECT_EQ(x, (std::vector<float>{3.5f, 1, 1.5f, 7, 5, 0}));
}

TEST(Intervention, MeanUsesTheChannelMeanOverTokens) {
  // Channel 1 over three tokens: (2 + 20 + 200) / 3 = 74; only token 2 is replaced.
  std::vector<float> x = {1, 2, 10, 20, 100, 200};  // [3, 2]
  apply_intervention(parse_intervention("h:mean:token=2,channel=1"), "h", x.data(), {3, 2});
  EXPECT_EQ(x, (std::vector<float>{1, 2, 10, 20, 100, 74}));
}

TEST(Intervention, FlattensTrailingDimensions) {
  // hook_q-like [T=1, heads=2, d_head=2]: channel 3 is head 1, dim 1.
  std::vector<float> q = {1, 2, 3, 4};
  apply_intervention(parse_intervention("q:zero:channel=3"), "q", q.data(), {1, 2, 2});
  EXPECT_EQ(q, (std::vector<float>{1, 2, 3, 0}));
}

TEST(Intervention, OutOfRangeIndexIsBadInput) {
  std::vector<float> x(6);
  try {
    apply_intervention(parse_intervention("h:zero:token=5"), "blocks.0.hook_resid_post", x.data(), {2, 3});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("token 5 is out of range"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("blocks.0.hook_resid_post [2, 3]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace osc
