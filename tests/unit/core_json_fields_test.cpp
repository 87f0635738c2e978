// The one checked-JSON helper set (core/json_fields.h): every error names the document and the
// field's path; a malformed document is bad input (exit 2), never a crash.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/json_fields.h"

namespace osc {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_status(), 2);
    return e.what();
  }
  return "no error";
}

const nlohmann::json kDoc = nlohmann::json::parse(R"({"a": {"b": [1, 2.0, "x"]}, "flag": true, "none": null, "inf": "inf"})");

TEST(JsonFields, ErrorsNameTheDocumentAndThePath) {
  const JsonField doc(kDoc, "doc.json");
  EXPECT_EQ(error_of([&] { doc.at("a").at("b").at(size_t{2}).integer(); }),
            "doc.json: a.b[2]: expected an integer, got \"x\"");
  EXPECT_EQ(error_of([&] { doc.at("missing"); }), "doc.json: missing: missing");
  EXPECT_EQ(error_of([&] { doc.at("a").at("b").at(size_t{5}); }), "doc.json: a.b[5]: missing (array too short)");
  EXPECT_EQ(error_of([&] { doc.at("a").at("b").numbers(2); }), "doc.json: a.b: expected 2 elements, got 3");
  EXPECT_EQ(error_of([&] { doc.boolean_or("inf", false); }), "doc.json: inf: expected true or false, got \"inf\"");
  EXPECT_EQ(error_of([] { parse_json("{", "x.json"); }).rfind("x.json: not valid JSON: ", 0), 0u);
}

TEST(JsonFields, OptionalMembersAndIntegralFloats) {
  const JsonField doc(kDoc, "doc.json");
  EXPECT_EQ(doc.at("a").at("b").at(size_t{1}).integer(), 2);  // 2.0, as some exporters write integers
  EXPECT_FALSE(doc.has("none"));
  EXPECT_FALSE(doc.find("none").has_value());
  EXPECT_FALSE(doc.optional_text("absent").has_value());
  EXPECT_TRUE(doc.boolean_or("flag", false));
  EXPECT_TRUE(doc.boolean_or("none", true));
  ASSERT_NE(find_json_path(kDoc, {"a", "b"}), nullptr);
  EXPECT_EQ(find_json_path(kDoc, {"a", "c"}), nullptr);
  EXPECT_EQ(find_json_path(kDoc, {"flag", "b"}), nullptr);
}

TEST(JsonFields, NonFiniteNumbersOnlyInOurOwnDocuments) {
  const JsonField ours(kDoc, "report.json", "", NonFinite::NullOrInf);
  EXPECT_TRUE(std::isnan(ours.at("none").number()));
  EXPECT_TRUE(std::isinf(ours.at("inf").number()));
  const JsonField foreign(kDoc, "config.json");
  EXPECT_EQ(error_of([&] { foreign.at("inf").number(); }), "config.json: inf: expected a number, got \"inf\"");
}

}  // namespace
}  // namespace osc
