// Pre-tokenization by regular expressions (PCRE2 in UTF + Unicode-property mode, JIT-compiled):
// the text is cut at every match, and both the matches and the text between them become pieces,
// as HF's Split(behavior="Isolated") and llama.cpp's unicode_regex_split do. Several expressions
// apply in turn, each to the pieces the previous one left.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace osc {

class RegexSplitter {
 public:
  // Throws BadInput naming `where` if the pattern does not compile. With drop_matches, matches
  // are removed instead of kept (HF behavior "Removed").
  RegexSplitter(const std::string& pattern, const std::string& where, bool drop_matches = false);
  ~RegexSplitter();
  RegexSplitter(RegexSplitter&&) noexcept;
  RegexSplitter& operator=(RegexSplitter&&) noexcept;

  // Appends the pieces of `text` (valid UTF-8) to `out`, in order; empty pieces are never produced.
  void split(std::string_view text, std::vector<std::string_view>& out) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
  bool drop_matches_;
};

// Applies the splitters in turn; no splitters leave the text as one piece.
std::vector<std::string_view> split_pieces(std::string_view text, const std::vector<RegexSplitter>& splitters);

}  // namespace osc
