// Malformed and unsupported tokenizer files must give one clear BadInput error naming the file
// and the problem, never a crash or a silently wrong tokenizer.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/atomic_write.h"
#include "core/error.h"
#include "support/shared_data.h"
#include "tokenizer/load_tokenizer.h"

namespace osc {
namespace {

std::string write_file(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = dir + "/" + name;
  write_text_atomically(path, content);
  return path;
}

// Loads `path` and checks that it fails with BadInput mentioning both the faulty file (`path`
// unless `faulty` names another) and `problem`.
void expect_refused(const std::string& path, const std::string& problem, const std::string& faulty = "") {
  try {
    load_tokenizer(path);
    ADD_FAILURE() << path << " was accepted; expected an error about: " << problem;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
    const std::string message = e.what();
    EXPECT_NE(message.find(std::filesystem::path(faulty.empty() ? path : faulty).filename().string()), std::string::npos)
        << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
  }
}

const char* kByteLevelTail = R"(, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}})";

class TokenizerErrors : public ::testing::Test {
 protected:
  std::string dir = test::scratch_dir("tokenizer_errors");
};

TEST_F(TokenizerErrors, BadJson) {
  expect_refused(write_file(dir, "tokenizer.json", "{\"model\": {\"type\": \"BPE\", "), "not valid JSON");
}

TEST_F(TokenizerErrors, MergeNamingAnUnknownToken) {
  const std::string json = R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a c"]})";
  expect_refused(write_file(dir, "tokenizer.json", json + std::string(kByteLevelTail)), "\"c\", which is not a token");
}

TEST_F(TokenizerErrors, MergeWhoseResultIsNotAToken) {
  const std::string json = R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]})";
  expect_refused(write_file(dir, "tokenizer.json", json + std::string(kByteLevelTail)), "\"ab\", which is not a token");
}

TEST_F(TokenizerErrors, EmptyVocabulary) {
  const std::string json = R"({"model": {"type": "BPE", "vocab": {}, "merges": []})";
  expect_refused(write_file(dir, "tokenizer.json", json + std::string(kByteLevelTail)), "empty");
}

TEST_F(TokenizerErrors, HugeOrNegativeIds) {
  const std::string huge = R"({"model": {"type": "BPE", "vocab": {"a": 4000000000}, "merges": []})";
  expect_refused(write_file(dir, "tokenizer.json", huge + std::string(kByteLevelTail)), "outside");
  const std::string negative = R"({"model": {"type": "BPE", "vocab": {"a": -1}, "merges": []})";
  expect_refused(write_file(dir, "tokenizer.json", negative + std::string(kByteLevelTail)), "outside");
}

TEST_F(TokenizerErrors, UnsupportedModelsAndPipelines) {
  expect_refused(write_file(dir, "tokenizer.json", R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})"),
                 "WordPiece without the BertPreTokenizer is not supported");
  expect_refused(write_file(dir, "tokenizer.json", R"({"model": {"type": "WordPiece", "vocab": {"a": 0}},
                 "pre_tokenizer": {"type": "BertPreTokenizer"}})"),
                 "without an unknown token");
  expect_refused(write_file(dir, "tokenizer.json", R"({"model": {"type": "Unigram", "vocab": [["a", 0.0]]}})"),
                 "\"Unigram\" is not supported");
  const std::string lowercase = R"({"normalizer": {"type": "Lowercase"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []})";
  expect_refused(write_file(dir, "tokenizer.json", lowercase + std::string(kByteLevelTail)),
                 "normalizer \"Lowercase\" is not supported");
  const std::string bad_regex = R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},
      "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "[a-"}, "behavior": "Isolated"}, "decoder": {"type": "ByteLevel"}})";
  expect_refused(write_file(dir, "tokenizer.json", bad_regex), "does not compile");
}

TEST_F(TokenizerErrors, MergesFileWithABadLine) {
  write_file(dir, "vocab.json", R"({"a": 0, "b": 1, "ab": 2})");
  write_file(dir, "merges.txt", "#version: 0.2\na b\nab\n");
  expect_refused(dir + "/vocab.json", "not two tokens separated by one space", "merges.txt line 3");
}

TEST_F(TokenizerErrors, GarbageSentencePieceModel) {
  expect_refused(write_file(dir, "tokenizer.model", std::string("\x0A\xFF\xFF\xFF\xFF\x0F", 6)), "protobuf");
  expect_refused(write_file(dir, "tokenizer.model", ""), "no pieces");
}

TEST_F(TokenizerErrors, TruncatedGguf) {
  expect_refused(write_file(dir, "broken.gguf", std::string("GGUF\x03\x00\x00\x00", 8)), "broken.gguf");
}

TEST_F(TokenizerErrors, MissingPathAndEmptyDirectory) {
  expect_refused(dir + "/nothing-here.json", "no such file");
  const std::string empty = test::scratch_dir("tokenizer_errors_empty");
  expect_refused(empty, "no tokenizer found");
}

}  // namespace
}  // namespace osc
