#include "tokenizer/bert_text.h"

#include <algorithm>

#include <unicode/uchar.h>

#include "tokenizer/unicode_normalize.h"
#include "tokenizer/utf8.h"

namespace osc {
namespace {

// Calls fn(code_point, offset, length) for each code point of valid UTF-8.
template <typename Fn>
void for_each_code_point(std::string_view text, Fn&& fn) {
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = std::max<size_t>(1, utf8_valid_length(text, pos));
    fn(utf8_decode(text, pos, length), pos, length);
    pos += length;
  }
}

bool is_white_space(uint32_t cp) { return u_isUWhiteSpace(static_cast<UChar32>(cp)); }

// Unicode "Other" categories (Cc, Cf, Cn, Co, Cs), except the tab and line breaks that are white space.
bool is_control(uint32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  switch (u_charType(static_cast<UChar32>(cp))) {
    case U_CONTROL_CHAR: case U_FORMAT_CHAR: case U_UNASSIGNED: case U_PRIVATE_USE_CHAR: case U_SURROGATE: return true;
    default: return false;
  }
}

// BERT's "Chinese character" blocks: the CJK Unified Ideographs and their extensions and
// compatibility ideographs (not Hiragana, Katakana or Hangul).
bool is_cjk_ideograph(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// ASCII punctuation (which includes symbols such as '$', '+', '^') or a Unicode P* category.
bool is_punctuation(uint32_t cp) {
  if (cp < 0x80) return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
  switch (u_charType(static_cast<UChar32>(cp))) {
    case U_CONNECTOR_PUNCTUATION: case U_DASH_PUNCTUATION: case U_START_PUNCTUATION: case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION: case U_FINAL_PUNCTUATION: case U_OTHER_PUNCTUATION: return true;
    default: return false;
  }
}

// Per-character full lowercase without context (Rust's char::to_lowercase): the simple mapping,
// except U+0130, the only character whose unconditional lowercase is two characters.
void append_lowercase(std::string& out, uint32_t cp) {
  if (cp == 0x130) {
    out += "i\xCC\x87";  // i + U+0307
    return;
  }
  utf8_append(out, static_cast<uint32_t>(u_tolower(static_cast<UChar32>(cp))));
}

std::string clean_and_space_cjk(std::string_view text, const BertNormalizerOptions& options) {
  std::string out;
  out.reserve(text.size() + 8);
  for_each_code_point(text, [&](uint32_t cp, size_t pos, size_t length) {
    if (options.clean_text) {
      if (cp == 0 || cp == 0xFFFD || is_control(cp)) return;
      if (is_white_space(cp)) {
        out += ' ';
        return;
      }
    }
    const bool pad = options.handle_chinese_chars && is_cjk_ideograph(cp);
    if (pad) out += ' ';
    out.append(text, pos, length);
    if (pad) out += ' ';
  });
  return out;
}

std::string strip_accents_and_lowercase(std::string_view text, const BertNormalizerOptions& options) {
  std::string out;
  out.reserve(text.size());
  for_each_code_point(text, [&](uint32_t cp, size_t pos, size_t length) {
    if (options.strip_accents && u_charType(static_cast<UChar32>(cp)) == U_NON_SPACING_MARK) return;
    if (options.lowercase) append_lowercase(out, cp);
    else out.append(text, pos, length);
  });
  return out;
}

}  // namespace

std::string bert_normalize(std::string_view valid_utf8, const BertNormalizerOptions& options) {
  std::string text = clean_and_space_cjk(valid_utf8, options);
  if (options.strip_accents) text = utf8_to_nfd(text);
  if (!options.strip_accents && !options.lowercase) return text;
  return strip_accents_and_lowercase(text, options);
}

std::vector<std::string_view> bert_pre_tokenize(std::string_view normalized) {
  std::vector<std::string_view> words;
  size_t word_start = 0;
  auto end_word = [&](size_t end) {
    if (end > word_start) words.push_back(normalized.substr(word_start, end - word_start));
  };
  for_each_code_point(normalized, [&](uint32_t cp, size_t pos, size_t length) {
    if (is_white_space(cp)) {
      end_word(pos);
      word_start = pos + length;
    } else if (is_punctuation(cp)) {
      end_word(pos);
      words.push_back(normalized.substr(pos, length));
      word_start = pos + length;
    }
  });
  end_word(normalized.size());
  return words;
}

}  // namespace osc
