#include "tokenizer/byte_level_bpe.h"

#include <algorithm>

#include "tokenizer/bpe_merge.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/unicode_normalize.h"
#include "tokenizer/utf8.h"

namespace osc {

ByteLevelBpe::ByteLevelBpe(Vocab vocab, TokenizerInfo info, ByteLevelOptions options)
    : Tokenizer(std::move(vocab), std::move(info)), options_(std::move(options)) {
  info_.kind = "byte-level-bpe";
}

void ByteLevelBpe::encode_text(std::string_view text, bool at_start, std::vector<int32_t>& out) const {
  std::string valid = utf8_repair(text);
  if (options_.nfc) valid = utf8_to_nfc(valid);
  const bool prefix = options_.prefix_space == PrefixSpace::Always ||
                      (options_.prefix_space == PrefixSpace::First && at_start);
  if (prefix && !valid.empty() && valid[0] != ' ') valid.insert(valid.begin(), ' ');
  for (std::string_view piece : split_pieces(valid, options_.splitters)) encode_piece(piece, out);
}

void ByteLevelBpe::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
  std::string encoded;
  append_byte_encoded(encoded, piece);
  if (options_.ignore_merges) {
    const int32_t whole = vocab_.find(encoded);
    if (whole >= 0) {
      out.push_back(whole);
      return;
    }
  }
  const PairPriority priority = [this](std::string_view l, std::string_view r) -> std::optional<double> {
    auto rank = options_.merges.rank(l, r, vocab_);
    if (!rank) return std::nullopt;
    return static_cast<double>(*rank);
  };
  for (std::string_view symbol : bpe_merge(encoded, priority)) {
    const int32_t id = vocab_.find(symbol);
    if (id >= 0) out.push_back(id);
    else append_unmerged(symbol, out);
  }
}

// A symbol that is not a token (a vocabulary without all 256 byte characters): its characters one
// by one; a character that is not a token either becomes the unknown token (llama.cpp drops it).
void ByteLevelBpe::append_unmerged(std::string_view symbol, std::vector<int32_t>& out) const {
  for (size_t pos = 0; pos < symbol.size();) {
    const size_t length = std::max<size_t>(1, utf8_valid_length(symbol, pos));
    const int32_t id = vocab_.find(symbol.substr(pos, length));
    if (id >= 0) out.push_back(id);
    else if (info_.unk_id >= 0) out.push_back(info_.unk_id);
    pos += length;
  }
}

std::string ByteLevelBpe::token_bytes(int32_t id) const {
  check_id(id);
  const Token& t = vocab_.token(id);
  if (t.type == TokenType::Control) return {};
  if (t.type == TokenType::UserDefined) return t.text;  // added tokens are stored as raw text
  return byte_decode(t.text);
}

}  // namespace osc
