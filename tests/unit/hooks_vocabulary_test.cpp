// The hook vocabulary: names spelled out by hand (TransformerLens's), and docs/hooks.md's table
// row by row against the C++ table (name, shape, when present), so neither can drift alone.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "hooks/hook_vocabulary.h"
#include "support/shared_data.h"

namespace osc {
namespace {

TEST(HookVocabulary, NamesByScope) {
  EXPECT_EQ(hook_name(HookPoint::Embed), "hook_embed");
  EXPECT_EQ(hook_name(HookPoint::LnFinalNormalized), "ln_final.hook_normalized");
  EXPECT_EQ(hook_name(12, HookPoint::ResidPost), "blocks.12.hook_resid_post");
  EXPECT_EQ(hook_name(0, HookPoint::Ln1Normalized), "blocks.0.ln1.hook_normalized");
  EXPECT_EQ(hook_name(3, HookPoint::RotK), "blocks.3.attn.hook_rot_k");
  EXPECT_EQ(hook_name(1, HookPoint::MlpPost), "blocks.1.mlp.hook_post");
  EXPECT_EQ(hook_name(1, HookPoint::MoeMlpPost), "blocks.1.mlp.hook_post");
  EXPECT_EQ(hook_name(2, 7, HookPoint::ExpertPreLinear), "blocks.2.mlp.experts.7.hook_pre_linear");
  EXPECT_EQ(hook_pattern(HookPoint::Pattern), "blocks.{L}.attn.hook_pattern");
  EXPECT_EQ(hook_glob(HookPoint::MlpOut), "blocks.*.hook_mlp_out");
}

TEST(HookVocabulary, AScopeMismatchIsAnInternalError) {
  EXPECT_THROW(hook_name(HookPoint::ResidPost), Error);
  EXPECT_THROW(hook_name(0, HookPoint::Logits), Error);
  EXPECT_THROW(hook_name(0, HookPoint::ExpertPost), Error);
  EXPECT_THROW(hook_name(0, 0, HookPoint::MlpPost), Error);
  EXPECT_THROW(hook_glob(HookPoint::Embed), Error);
}

struct DocRow {
  std::string name, shape, present;
  bool operator==(const DocRow&) const = default;
};

std::string cell(const std::string& s) {
  std::string out;
  for (char ch : s)
    if (ch != '`') out += ch;
  const size_t first = out.find_first_not_of(' '), last = out.find_last_not_of(' ');
  return first == std::string::npos ? "" : out.substr(first, last - first + 1);
}

// The rows of the table headed "| hook | shape | present | value |": its first three cells.
std::vector<DocRow> doc_rows(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line) && line.rfind("| hook | shape | present |", 0) != 0) {
  }
  std::getline(in, line);  // |---|---|
  std::vector<DocRow> rows;
  while (std::getline(in, line) && line.rfind("|", 0) == 0) {
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    for (std::string c; cells.size() < 3 && std::getline(ss, c, '|');) cells.push_back(cell(c));
    if (cells.size() == 3) rows.push_back({cells[0], cells[1], cells[2]});
  }
  return rows;
}

std::string show(const std::vector<DocRow>& rows) {
  std::string s;
  for (const DocRow& r : rows) s += "| `" + r.name + "` | " + r.shape + " | " + r.present + " |\n";
  return s;
}

TEST(HookVocabulary, DocsTableEqualsTheCppTable) {
  std::vector<DocRow> want;
  for (const HookPointInfo& info : hook_table())
    want.push_back({hook_doc_name(info), hook_doc_shape(info), std::string(hook_when_label(info.when))});
  const std::vector<DocRow> doc = doc_rows(test::source_path("docs/hooks.md"));
  ASSERT_FALSE(doc.empty()) << "docs/hooks.md has no table headed '| hook | shape | present | value |'";
  EXPECT_EQ(doc, want) << "docs/hooks.md lists:\n"
                       << show(doc) << "\nsrc/hooks/hook_vocabulary.cpp has:\n"
                       << show(want);
}

}  // namespace
}  // namespace osc
