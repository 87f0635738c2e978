// The tokenizer building blocks against values worked out by hand: UTF-8 repair, GPT-2's byte
// alphabet, the greedy merge order, display labels, BOS handling and decoding.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/error.h"
#include "support/shared_data.h"
#include "tokenizer/bpe_merge.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/display_text.h"
#include "tokenizer/load_tokenizer.h"
#include "tokenizer/utf8.h"

namespace osc {
namespace {

TEST(TokenizerUtf8, RepairFollowsWhatwgReplacement) {
  EXPECT_EQ(utf8_repair("plain"), "plain");
  EXPECT_EQ(utf8_repair("a\xFF" "b"), "a\xEF\xBF\xBD" "b");            // stray byte
  EXPECT_EQ(utf8_repair("\xE2\x82" "A"), "\xEF\xBF\xBD" "A");          // truncated 3-byte sequence: one U+FFFD
  EXPECT_EQ(utf8_repair("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");      // overlong form: two
  EXPECT_EQ(utf8_repair("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate: three
  EXPECT_EQ(utf8_repair("\xF0\x9F\x98"), "\xEF\xBF\xBD");              // emoji cut short at the end
}

TEST(TokenizerByteAlphabet, MatchesGpt2Table) {
  EXPECT_EQ(byte_to_unicode(' '), "\xC4\xA0");   // U+0120 'Ġ': 0x00..0x20 map to U+0100..U+0120
  EXPECT_EQ(byte_to_unicode('\n'), "\xC4\x8A");  // U+010A 'Ċ'
  EXPECT_EQ(byte_to_unicode('A'), "A");
  EXPECT_EQ(byte_to_unicode(0x7F), "\xC4\xA1");  // U+0121: next after the 33 low bytes
  EXPECT_EQ(byte_to_unicode(0xAD), "\xC5\x83");  // U+0143: the last remapped byte
  EXPECT_EQ(byte_to_unicode(0xE9), "\xC3\xA9");  // Latin-1 'é' maps to itself
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string encoded;
  append_byte_encoded(encoded, all);
  EXPECT_EQ(byte_decode(encoded), all);
}

std::vector<std::string> merged(std::string_view word, std::map<std::pair<std::string, std::string>, double> table) {
  const PairPriority priority = [&](std::string_view l, std::string_view r) -> std::optional<double> {
    auto it = table.find({std::string(l), std::string(r)});
    if (it == table.end()) return std::nullopt;
    return it->second;
  };
  std::vector<std::string> out;
  for (auto piece : bpe_merge(word, priority)) out.emplace_back(piece);
  return out;
}

TEST(TokenizerMerge, BestPairFirstThenNewNeighbours) {
  // bc (0) merges first; then bc+d (3) beats a+bc (5); a+bcd is not a pair.
  EXPECT_EQ(merged("abcd", {{{"a", "b"}, 1}, {{"b", "c"}, 0}, {{"c", "d"}, 2}, {{"a", "bc"}, 5}, {{"bc", "d"}, 3}}),
            (std::vector<std::string>{"a", "bcd"}));
}

TEST(TokenizerMerge, TiesGoToTheLeftmostPair) {
  EXPECT_EQ(merged("aaa", {{{"a", "a"}, 0}}), (std::vector<std::string>{"aa", "a"}));
  EXPECT_EQ(merged("aaaa", {{{"a", "a"}, 0}, {{"aa", "aa"}, 1}}), (std::vector<std::string>{"aaaa"}));
}

TEST(TokenizerMerge, SplitsMultiByteCharactersWhole) {
  EXPECT_EQ(merged("\xC3\xA9x", {}), (std::vector<std::string>{"\xC3\xA9", "x"}));
  EXPECT_TRUE(merged("", {}).empty());
}

TEST(TokenizerDisplay, EscapesControlsAndPartialCharacters) {
  EXPECT_EQ(escape_for_display("\n"), "\\n");
  EXPECT_EQ(escape_for_display("\t\r"), "\\t\\r");
  EXPECT_EQ(escape_for_display("\x1b"), "\\x1B");
  EXPECT_EQ(escape_for_display("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_for_display(" caf\xC3\xA9"), " caf\xC3\xA9");
  EXPECT_EQ(escape_for_display("\xE2\x80"), "\\xE2\\x80");
}

std::string spm_vocab() { return test::shared_path("testdata/tokenizer/ggml-vocab-llama-spm.gguf"); }
std::string gpt2_vocab() { return test::shared_path("testdata/tokenizer/ggml-vocab-gpt-2.gguf"); }

// Ids below are from the vocabularies themselves (GPT-2: 198 "Ċ", 220 "Ġ", 262 "Ġthe", 50256
// "<|endoftext|>"; LLaMA: 1 "<s>", 13 "<0x0A>", 29871 "▁") and from the .out vectors
// ("Hello world" -> 15043 3186 for LLaMA, 15496 995 for GPT-2).
TEST(TokenizerPieces, DisplayPiecesAreReadable) {
  OSC_REQUIRE_SHARED(gpt2_vocab());
  const auto gpt2 = load_tokenizer(gpt2_vocab());
  EXPECT_EQ(gpt2->piece(262), "\xC4\xA0the");
  EXPECT_EQ(gpt2->display_piece(262), " the");
  EXPECT_EQ(gpt2->display_piece(198), "\\n");
  EXPECT_EQ(gpt2->display_piece(220), " ");
  EXPECT_EQ(gpt2->display_piece(50256), "<|endoftext|>");
  const auto llama = load_tokenizer(spm_vocab());
  EXPECT_EQ(llama->display_piece(1), "<s>");
  EXPECT_EQ(llama->display_piece(13), "\\n");
  EXPECT_EQ(llama->display_piece(29871), " ");
  EXPECT_EQ(llama->display_piece(3 + 0xE2), "\\xE2");
  EXPECT_THROW(llama->display_piece(llama->vocab_size()), Error);
  EXPECT_THROW(llama->piece(-1), Error);
}

TEST(TokenizerPieces, BosFollowsTheModelAndTheCaller) {
  OSC_REQUIRE_SHARED(spm_vocab());
  const auto llama = load_tokenizer(spm_vocab());
  EXPECT_TRUE(llama->add_bos_default());
  EXPECT_EQ(llama->bos_id(), 1);
  EXPECT_EQ(llama->eos_id(), 2);
  EXPECT_EQ(llama->encode("Hello world", true), (std::vector<int32_t>{1, 15043, 3186}));
  EXPECT_EQ(llama->encode("Hello world", false), (std::vector<int32_t>{15043, 3186}));
  EXPECT_EQ(llama->encode("", true), (std::vector<int32_t>{1}));
  EXPECT_TRUE(llama->encode("", false).empty());
  const auto gpt2 = load_tokenizer(gpt2_vocab());
  EXPECT_FALSE(gpt2->add_bos_default());
  EXPECT_EQ(gpt2->encode("Hello world", false), (std::vector<int32_t>{15496, 995}));
}

TEST(TokenizerPieces, ControlTokensAreTextUnlessParsed) {
  OSC_REQUIRE_SHARED(gpt2_vocab());
  const auto gpt2 = load_tokenizer(gpt2_vocab());
  EncodeOptions special;
  special.parse_special = true;
  EXPECT_EQ(gpt2->encode("<|endoftext|>", special), (std::vector<int32_t>{50256}));
  EXPECT_GT(gpt2->encode("<|endoftext|>", false).size(), 1u);
  EXPECT_EQ(gpt2->encode("a<|endoftext|>a", special), (std::vector<int32_t>{64, 50256, 64}));
}

TEST(TokenizerPieces, DecodeRoundTripsAndDropsControlTokens) {
  OSC_REQUIRE_SHARED(spm_vocab());
  for (const auto& path : {spm_vocab(), gpt2_vocab()}) {
    const auto tok = load_tokenizer(path);
    const std::string text = "  Hello,\tworld!\n\xF0\x9F\xA6\x99 caf\xC3\xA9 \xE1\x9E\x80";
    EXPECT_EQ(tok->decode(tok->encode(text, true)), text) << path;
    EXPECT_THROW(tok->decode({tok->vocab_size()}), Error);
  }
}

// Invalid UTF-8: SentencePiece keeps the bytes through byte fallback (as llama.cpp does);
// byte-level BPE sees U+FFFD in their place (as JavaScript and llama.cpp do). Neither crashes.
TEST(TokenizerPieces, InvalidUtf8IsHandledLikeTheReferences) {
  OSC_REQUIRE_SHARED(spm_vocab());
  const auto llama = load_tokenizer(spm_vocab());
  EXPECT_EQ(llama->encode("\xFF", false), (std::vector<int32_t>{29871, 3 + 0xFF}));
  const std::string broken = "ab\xE2\x82 c\xFF\xC0";
  EXPECT_EQ(llama->decode(llama->encode(broken, false)), broken);
  const auto gpt2 = load_tokenizer(gpt2_vocab());
  EXPECT_EQ(gpt2->encode(broken, false), gpt2->encode(utf8_repair(broken), false));
  EXPECT_EQ(gpt2->decode(gpt2->encode(broken, false)), utf8_repair(broken));
}

// Arbitrary bytes, special-token texts included: never a crash; SentencePiece gives the bytes back
// exactly (byte fallback), byte-level BPE gives back their U+FFFD-repaired form. (A literal '▁' is
// left out: SentencePiece decodes it as a space by design.)
TEST(TokenizerPieces, RandomBytesRoundTrip) {
  OSC_REQUIRE_SHARED(spm_vocab());
  const auto llama = load_tokenizer(spm_vocab());
  const auto gpt2 = load_tokenizer(gpt2_vocab());
  std::mt19937 rng(1234);
  const std::string alphabet[] = {"a", " ", "\n", "\xC3", "\xA9", "\xE2\x96", "\xF0\x9F", "\xFF", "<s>", "<|endoftext|>", "'s", "3"};
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int parts = static_cast<int>(rng() % 24);
    for (int i = 0; i < parts; ++i) text += alphabet[rng() % std::size(alphabet)];
    EXPECT_EQ(llama->decode(llama->encode(text, false)), text);
    EXPECT_EQ(gpt2->decode(gpt2->encode(text, false)), utf8_repair(text));
  }
}

}  // namespace
}  // namespace osc
