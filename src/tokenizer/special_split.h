// Splitting special tokens out of text before BPE sees it: at each position the longest special
// token text that starts there wins (leftmost-longest). Tokens marked lstrip/rstrip swallow the
// whitespace beside them, as HF's added tokens do.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace osc {

struct Fragment {
  std::string_view text;  // raw text, when token < 0
  int32_t token = -1;
  size_t offset = 0;      // where the fragment starts in the input
};

class SpecialSplitter {
 public:
  explicit SpecialSplitter(const Vocab& vocab);
  // Control and unknown tokens are split out only with parse_special; user-defined always.
  std::vector<Fragment> split(std::string_view text, const Vocab& vocab, bool parse_special) const;

 private:
  // Candidates by first byte, longest first: [0] user-defined only, [1] all special tokens.
  std::array<std::array<std::vector<int32_t>, 256>, 2> by_first_byte_;
};

}  // namespace osc
