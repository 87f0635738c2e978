#include "tokenizer/special_split.h"

namespace osc {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

SpecialSplitter::SpecialSplitter(const Vocab& vocab) {
  for (int32_t id : vocab.special_ids()) {  // already longest first
    const Token& t = vocab.token(id);
    const auto first = static_cast<uint8_t>(t.text[0]);
    by_first_byte_[1][first].push_back(id);
    if (t.type == TokenType::UserDefined) by_first_byte_[0][first].push_back(id);
  }
}

std::vector<Fragment> SpecialSplitter::split(std::string_view text, const Vocab& vocab, bool parse_special) const {
  const auto& candidates = by_first_byte_[parse_special ? 1 : 0];
  std::vector<Fragment> out;
  size_t raw_start = 0, pos = 0;
  while (pos < text.size()) {
    int32_t matched = -1;
    for (int32_t id : candidates[static_cast<uint8_t>(text[pos])]) {
      if (text.substr(pos).starts_with(vocab.token(id).text)) {
        matched = id;
        break;
      }
    }
    if (matched < 0) {
      ++pos;
      continue;
    }
    const Token& t = vocab.token(matched);
    size_t raw_end = pos;
    if (t.lstrip)
      while (raw_end > raw_start && is_space(text[raw_end - 1])) --raw_end;
    if (raw_end > raw_start) out.push_back({text.substr(raw_start, raw_end - raw_start), -1, raw_start});
    out.push_back({{}, matched, pos});
    pos += t.text.size();
    if (t.rstrip)
      while (pos < text.size() && is_space(text[pos])) ++pos;
    raw_start = pos;
  }
  if (raw_start < text.size()) out.push_back({text.substr(raw_start), -1, raw_start});
  return out;
}

}  // namespace osc
