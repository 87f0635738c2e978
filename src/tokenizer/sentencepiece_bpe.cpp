#include "tokenizer/sentencepiece_bpe.h"

#include <cstdio>

#include "tokenizer/bpe_merge.h"
#include "tokenizer/unicode_normalize.h"
#include "tokenizer/utf8.h"

namespace osc {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 '▁'

std::string squeeze_spaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out += to;
  }
  out.append(s, pos);
  s = std::move(out);
}

// Splits "▁a▁b" into "▁a", "▁b": each word starts at a '▁' (HF Metaspace split=true).
std::vector<std::string_view> split_before_marks(std::string_view text) {
  std::vector<std::string_view> words;
  size_t start = 0;
  for (size_t hit = text.find(kSpaceMark, 1); hit != std::string_view::npos; hit = text.find(kSpaceMark, hit + 1)) {
    words.push_back(text.substr(start, hit - start));
    start = hit;
  }
  words.push_back(text.substr(start));
  return words;
}

}  // namespace

SentencePieceBpe::SentencePieceBpe(Vocab vocab, TokenizerInfo info, SentencePieceOptions options)
    : Tokenizer(std::move(vocab), std::move(info)), options_(std::move(options)) {
  info_.kind = "sentencepiece-bpe";
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    byte_ids_[static_cast<size_t>(b)] = vocab_.find(name);
  }
}

std::string SentencePieceBpe::normalize(std::string_view text, bool at_start) const {
  std::string s = options_.remove_extra_whitespaces ? squeeze_spaces(text) : std::string(text);
  if (options_.nfc && utf8_is_valid(s)) s = utf8_to_nfc(s);
  const bool prefix = options_.dummy_prefix == PrefixSpace::Always ||
                      (options_.dummy_prefix == PrefixSpace::First && at_start);
  if (prefix && !s.empty()) s.insert(s.begin(), ' ');
  replace_all(s, " ", kSpaceMark);
  return s;
}

void SentencePieceBpe::encode_text(std::string_view text, bool at_start, std::vector<int32_t>& out) const {
  const std::string normalized = normalize(text, at_start);
  if (normalized.empty()) return;
  if (!options_.split_on_space) {
    encode_word(normalized, out);
    return;
  }
  for (std::string_view word : split_before_marks(normalized)) encode_word(word, out);
}

std::optional<double> SentencePieceBpe::pair_priority(std::string_view left, std::string_view right) const {
  if (options_.merges) {
    auto rank = options_.merges->rank(left, right, vocab_);
    if (!rank) return std::nullopt;
    return static_cast<double>(*rank);
  }
  // The merge engine hands out adjacent views, so the merged text is one view.
  const std::string_view merged(left.data(), left.size() + right.size());
  const int32_t id = vocab_.find(merged);
  if (id < 0) return std::nullopt;
  const TokenType type = vocab_.token(id).type;
  if (type == TokenType::Control || type == TokenType::Unknown) return std::nullopt;
  return -static_cast<double>(vocab_.token(id).score);
}

void SentencePieceBpe::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  const PairPriority priority = [this](std::string_view l, std::string_view r) { return pair_priority(l, r); };
  for (std::string_view symbol : bpe_merge(word, priority)) {
    const int32_t id = vocab_.find(symbol);
    if (id >= 0) out.push_back(id);
    else append_fallback(symbol, out);
  }
}

void SentencePieceBpe::append_fallback(std::string_view symbol, std::vector<int32_t>& out) const {
  if (options_.byte_fallback) {
    bool all_bytes = true;
    for (char c : symbol) all_bytes = all_bytes && byte_ids_[static_cast<uint8_t>(c)] >= 0;
    if (all_bytes) {
      for (char c : symbol) out.push_back(byte_ids_[static_cast<uint8_t>(c)]);
      return;
    }
  }
  // No byte tokens: one unknown token for the whole symbol, as SentencePiece does.
  if (info_.unk_id >= 0) out.push_back(info_.unk_id);
}

std::string SentencePieceBpe::token_bytes(int32_t id) const {
  check_id(id);
  const Token& t = vocab_.token(id);
  switch (t.type) {
    case TokenType::Control: return {};
    case TokenType::Byte: {
      // "<0xAB>": the byte is the two hex digits.
      unsigned value = 0;
      if (std::sscanf(t.text.c_str(), "<0x%2X>", &value) == 1) return std::string(1, static_cast<char>(value));
      return t.text;
    }
    default: {
      std::string s = t.text;
      replace_all(s, kSpaceMark, " ");
      return s;
    }
  }
}

void SentencePieceBpe::finish_decoded(std::string& text) const {
  if (options_.dummy_prefix != PrefixSpace::Never && !text.empty() && text[0] == ' ') text.erase(0, 1);
}

}  // namespace osc
