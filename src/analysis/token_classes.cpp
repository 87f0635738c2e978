#include "analysis/token_classes.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

namespace osc::analysis {
namespace {

const std::set<std::string, std::less<>>& strong_delimiters() {
  static const std::set<std::string, std::less<>> set = {
      ".", "\n", ",", ";", ":", "!", "?", "-", "--", "---", "'", "\"", "(", ")", "[", "]", "{", "}",
      "/", "\\", "|", "*", "&", "^", "%", "$", "#", "@", "~", "`", "\n\n", "...", "</s>", "<|endoftext|>"};
  return set;
}

const std::set<std::string, std::less<>>& weak_semantic_words() {
  static const std::set<std::string, std::less<>> set = {
      "", "and", "from", "of", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "the", "a", "an",
      "in", "on", "at", "for", "with", "is", "was", "are", "were", "to", "by", "as", "that", "this",
      "it", "but", "or", "if", "not"};
  return set;
}

// Replaces every occurrence of `from` by `to`.
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "<0x0A>" -> "\n" (SentencePiece byte-fallback pieces).
void decode_byte_pieces(std::string& s) {
  for (size_t at = s.find("<0x"); at != std::string::npos; at = s.find("<0x", at + 1)) {
    if (at + 6 > s.size() || s[at + 5] != '>') continue;
    const int hi = hex_digit(s[at + 3]), lo = hex_digit(s[at + 4]);
    if (hi < 0 || lo < 0) continue;
    s.replace(at, 6, 1, static_cast<char>(hi * 16 + lo));
  }
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string normalized_piece(std::string_view piece) {
  std::string s(piece);
  replace_all(s, "\xE2\x96\x81", " ");  // U+2581 ▁ (SentencePiece)
  replace_all(s, "\xC4\xA0", " ");      // U+0120 Ġ (byte-level BPE space)
  replace_all(s, "\xC4\x8A", "\n");     // U+010A Ċ (byte-level BPE newline)
  decode_byte_pieces(s);
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const size_t last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

TokenClass classify_token(std::string_view piece, int64_t position) {
  if (position == 0) return TokenClass::Initial;
  const std::string text = normalized_piece(piece);
  if (strong_delimiters().count(text)) return TokenClass::StrongDelimiter;
  if (weak_semantic_words().count(lowercase(text))) return TokenClass::WeakSemantic;
  return TokenClass::Other;
}

std::string token_class_name(TokenClass c) {
  switch (c) {
    case TokenClass::Initial: return "initial";
    case TokenClass::StrongDelimiter: return "strong_delimiter";
    case TokenClass::WeakSemantic: return "weak_semantic";
    case TokenClass::Other: return "other";
  }
  return "other";
}

int64_t TokenClassCounts::total() const {
  int64_t sum = 0;
  for (int64_t c : counts) sum += c;
  return sum;
}

nlohmann::json token_class_counts_to_json(const TokenClassCounts& counts) {
  nlohmann::json j = nlohmann::json::object();
  for (int c = 0; c < kTokenClassCount; ++c)
    j[token_class_name(static_cast<TokenClass>(c))] = counts.counts[static_cast<size_t>(c)];
  j["total"] = counts.total();
  return j;
}

}  // namespace osc::analysis
