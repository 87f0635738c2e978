#include "tokenizer/wordpiece.h"

#include <algorithm>

#include "core/error.h"
#include "tokenizer/utf8.h"

namespace osc {
namespace {

size_t code_point_count(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

WordPiece::WordPiece(Vocab vocab, TokenizerInfo info, WordPieceOptions options)
    : Tokenizer(std::move(vocab), std::move(info)), options_(std::move(options)) {
  info_.kind = "wordpiece";
  OSC_CHECK_INPUT(info_.unk_id >= 0, info_.source, "a WordPiece vocabulary without an unknown token");
  for (int32_t id = 0; id < vocab_.size(); ++id) longest_entry_bytes_ = std::max(longest_entry_bytes_, vocab_.token(id).text.size());
}

void WordPiece::encode_text(std::string_view text, bool, std::vector<int32_t>& out) const {
  const std::string normalized = bert_normalize(utf8_repair(text), options_.normalizer);
  for (std::string_view word : bert_pre_tokenize(normalized)) {
    if (code_point_count(word) > options_.max_input_chars_per_word || !encode_word(word, out))
      out.push_back(info_.unk_id);
  }
}

bool WordPiece::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  const size_t first = out.size();
  std::string key;
  for (size_t start = 0; start < word.size();) {
    const auto [id, length] = longest_entry(word, start, key);
    if (id < 0) {
      out.resize(first);
      return false;
    }
    out.push_back(id);
    start += length;
  }
  return true;
}

std::pair<int32_t, size_t> WordPiece::longest_entry(std::string_view word, size_t start, std::string& key) const {
  const std::string& prefix = start == 0 ? options_.word_start_prefix : options_.continuing_prefix;
  for (size_t end = std::min(word.size(), start + longest_entry_bytes_); end > start; --end) {
    if (end < word.size() && is_continuation_byte(word[end])) continue;  // only whole characters
    key.assign(prefix);
    key.append(word, start, end - start);
    const int32_t id = vocab_.find(key);
    if (id >= 0) return {id, end - start};
  }
  return {-1, 0};
}

std::string WordPiece::token_bytes(int32_t id) const {
  check_id(id);
  const Token& t = vocab_.token(id);
  if (t.type == TokenType::Control) return {};
  if (t.type == TokenType::Unknown) return " " + t.text;  // it stands for a whole word
  const std::string& continuing = options_.continuing_prefix;
  const std::string& word_start = options_.word_start_prefix;
  if (!continuing.empty() && t.text.starts_with(continuing)) return t.text.substr(continuing.size());
  if (!word_start.empty() && !t.text.starts_with(word_start)) return t.text;  // GGUF's continuing entries
  return " " + t.text.substr(word_start.size());
}

void WordPiece::finish_decoded(std::string& text) const {
  if (!text.empty() && text[0] == ' ') text.erase(0, 1);
}

}  // namespace osc
