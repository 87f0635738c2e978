#include "tokenizer/regex_split.h"

#include <algorithm>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"
#include "tokenizer/utf8.h"

namespace osc {

struct RegexSplitter::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

RegexSplitter::RegexSplitter(const std::string& pattern, const std::string& where, bool drop_matches)
    : compiled_(std::make_unique<Compiled>()), drop_matches_(drop_matches) {
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
  if (compiled_->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error_code, message, sizeof message);
    throw_bad_input(where, "pre-tokenizer regex does not compile at offset " + std::to_string(error_offset) +
                               ": " + reinterpret_cast<const char*>(message));
  }
  // JIT is an optimisation only: without it pcre2_match interprets the same pattern.
  pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

RegexSplitter::~RegexSplitter() = default;
RegexSplitter::RegexSplitter(RegexSplitter&&) noexcept = default;
RegexSplitter& RegexSplitter::operator=(RegexSplitter&&) noexcept = default;

void RegexSplitter::split(std::string_view text, std::vector<std::string_view>& out) const {
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
      pcre2_match_data_create_from_pattern(compiled_->code, nullptr), &pcre2_match_data_free);
  const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t gap_start = 0, pos = 0;
  while (pos < text.size()) {
    const int rc = pcre2_match(compiled_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, match.get(), nullptr);
    if (rc < 0) break;  // no further match (or a resource limit): the rest is one gap
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
    const size_t start = ovector[0], end = ovector[1];
    if (end == start) {  // an empty match cuts nothing; move on by one character
      pos = start + std::max<size_t>(1, utf8_valid_length(text, start));
      continue;
    }
    if (start > gap_start) out.push_back(text.substr(gap_start, start - gap_start));
    if (!drop_matches_) out.push_back(text.substr(start, end - start));
    gap_start = pos = end;
  }
  if (gap_start < text.size()) out.push_back(text.substr(gap_start));
}

std::vector<std::string_view> split_pieces(std::string_view text, const std::vector<RegexSplitter>& splitters) {
  std::vector<std::string_view> pieces{text};
  if (text.empty()) pieces.clear();
  for (const RegexSplitter& splitter : splitters) {
    std::vector<std::string_view> next;
    next.reserve(pieces.size() * 2);
    for (std::string_view piece : pieces) splitter.split(piece, next);
    pieces = std::move(next);
  }
  return pieces;
}

}  // namespace osc
