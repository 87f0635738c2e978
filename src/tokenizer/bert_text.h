// The text side of BERT-style WordPiece tokenizers, as HF tokenizers' BertNormalizer and
// BertPreTokenizer do it (which produced llama.cpp's bert-bge test vectors):
//   normalize: drop NUL, U+FFFD and control / format / unassigned characters, turn white space into
//   ' ', put spaces around CJK ideographs, strip accents (NFD, then drop non-spacing marks),
//   lowercase each character;
//   pre-tokenize: words end at white space (dropped); each punctuation character is a word.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace osc {

struct BertNormalizerOptions {
  bool clean_text = true;
  bool handle_chinese_chars = true;
  bool strip_accents = true;
  bool lowercase = true;
};

// `valid_utf8`: repaired input (utf8_repair).
std::string bert_normalize(std::string_view valid_utf8, const BertNormalizerOptions& options);

// Words of normalized text, as views into it.
std::vector<std::string_view> bert_pre_tokenize(std::string_view normalized);

}  // namespace osc
