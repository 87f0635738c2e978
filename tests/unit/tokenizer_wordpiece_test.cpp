// WordPiece (BERT) against values worked out by hand: BERT's normalizer (control characters,
// white space, CJK spacing, accent stripping, per-character lowercase), its pre-tokenizer, the
// greedy longest-match with "##" continuations, the unknown word, decoding and display pieces.
// The real bert-bge vocabulary is checked against llama.cpp's vectors in tokenizer_vectors_test.
#include <gtest/gtest.h>

#include "core/atomic_write.h"
#include "core/error.h"
#include "support/shared_data.h"
#include "tokenizer/bert_text.h"
#include "tokenizer/load_tokenizer.h"

namespace osc {
namespace {

using namespace std::string_literals;

std::vector<std::string> words_of(const std::string& text, const BertNormalizerOptions& options = {}) {
  const std::string normalized = bert_normalize(text, options);
  std::vector<std::string> words;
  for (std::string_view w : bert_pre_tokenize(normalized)) words.emplace_back(w);
  return words;
}

using Words = std::vector<std::string>;

TEST(TokenizerBertText, NormalizesLikeBertNormalizer) {
  // "É" is NFC here; NFD splits off U+0301, which is dropped; "Σ" lowercases without final-sigma context.
  EXPECT_EQ(bert_normalize("Caf\xC3\x89 \xCE\xA3", {}), "cafe \xCF\x83");
  // A zero-width joiner (format), NUL and U+FFFD vanish; tab and newline become spaces.
  EXPECT_EQ(bert_normalize("a\xE2\x80\x8D" "b\t\n\x00" "c\xEF\xBF\xBD"s, {}), "ab  c");
  // Vertical tab and U+0085 are control characters, dropped rather than turned into spaces.
  EXPECT_EQ(bert_normalize("a\x0B" "b\xC2\x85" "c", {}), "abc");
  // CJK ideographs get spaces around them; Hiragana does not.
  EXPECT_EQ(bert_normalize("\xE4\xB8\xAD\xE3\x81\x82", {}), " \xE4\xB8\xAD \xE3\x81\x82");
  // Cased without accent stripping: U+0130 lowercases to "i" + U+0307 (two characters).
  BertNormalizerOptions cased_accents{true, true, false, true};
  EXPECT_EQ(bert_normalize("\xC4\xB0" "\xC3\xA9", cased_accents), "i\xCC\x87\xC3\xA9");
  BertNormalizerOptions keep_all{false, false, false, false};
  EXPECT_EQ(bert_normalize("A\tB\xC3\xA9", keep_all), "A\tB\xC3\xA9");
}

TEST(TokenizerBertText, SplitsAtSpacesAndPunctuation) {
  EXPECT_EQ(words_of("Hello, y'all!  $5"), (Words{"hello", ",", "y", "'", "all", "!", "$", "5"}));
  // Non-ASCII punctuation (P*) splits; non-ASCII symbols (S*, e.g. U+20AC, an emoji) do not.
  EXPECT_EQ(words_of("a\xE2\x80\x94" "b\xE2\x82\xAC\xF0\x9F\x9A\x80"), (Words{"a", "\xE2\x80\x94", "b\xE2\x82\xAC\xF0\x9F\x9A\x80"}));
  EXPECT_TRUE(words_of(" \t\n ").empty());
}

// [UNK]=0 [CLS]=1 [SEP]=2, then word-start and "##" entries.
std::string tiny_tokenizer_json(int max_chars) {
  return R"({"added_tokens": [
      {"id": 0, "content": "[UNK]", "special": true}, {"id": 1, "content": "[CLS]", "special": true},
      {"id": 2, "content": "[SEP]", "special": true}],
    "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                   "strip_accents": null, "lowercase": true},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}]},
    "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
              "max_input_chars_per_word": )" +
         std::to_string(max_chars) + R"(,
              "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "the": 3, "##re": 4, "un": 5, "##aff": 6,
                        "##able": 7, ",": 8, "cafe": 9, "中": 10, "##s": 11, "##a": 12, "unaff": 13}}})";
}

std::unique_ptr<Tokenizer> tiny_tokenizer(int max_chars = 100) {
  const std::string dir = test::scratch_dir("tokenizer_wordpiece_" + std::to_string(max_chars));
  write_text_atomically(dir + "/tokenizer.json", tiny_tokenizer_json(max_chars));
  return load_tokenizer(dir + "/tokenizer.json");
}

TEST(TokenizerWordPiece, LongestEntryFirstWithContinuations) {
  const auto tok = tiny_tokenizer();
  EXPECT_EQ(tok->info().kind, "wordpiece");
  // "unaffable": "unaff" (longest word-start entry) then "##able". "Théres": the ##re ##s.
  // "中文": two words; "文" is no entry. "thex": "the" then no entry for "x" -> the whole word is [UNK].
  EXPECT_EQ(tok->encode("Unaffable, CAFÉ Théres 中文 thex", false),
            (std::vector<int32_t>{13, 7, 8, 9, 3, 4, 11, 10, 0, 0}));
  EXPECT_EQ(tok->encode("the", true), (std::vector<int32_t>{1, 3}));  // [CLS] from the post-processor
  EXPECT_TRUE(tok->add_bos_default());
}

TEST(TokenizerWordPiece, LongWordsAreUnknown) {
  const auto tok = tiny_tokenizer(4);
  EXPECT_EQ(tok->encode("cafe cafes unaffable", false), (std::vector<int32_t>{9, 0, 0}));
}

TEST(TokenizerWordPiece, DecodeJoinsWordsAndDisplayShowsTheSpace) {
  const auto tok = tiny_tokenizer();
  EXPECT_EQ(tok->decode({1, 13, 7, 8, 3, 4, 11, 0, 2}), "unaffable , theres [UNK]");
  EXPECT_EQ(tok->display_piece(3), " the");
  EXPECT_EQ(tok->display_piece(4), "re");
  EXPECT_EQ(tok->display_piece(0), "[UNK]");
}

TEST(TokenizerWordPiece, ControlTokensSplitOnlyWhenParsed) {
  const auto tok = tiny_tokenizer();
  EncodeOptions options;
  options.parse_special = true;
  EXPECT_EQ(tok->encode("the[SEP]", options), (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(tok->encode("the[SEP]", false), (std::vector<int32_t>{3, 0, 0, 0}));  // "[", "sep", "]": no entries
}

TEST(TokenizerWordPiece, InvalidUtf8BecomesNothing) {
  // U+FFFD (what invalid bytes become) is dropped by clean_text, as in HF.
  const auto tok = tiny_tokenizer();
  EXPECT_EQ(tok->encode("the\xFF" "re", false), (std::vector<int32_t>{3, 4}));
}

}  // namespace
}  // namespace osc
