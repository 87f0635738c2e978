// BPE merge rules ("Ġ t" -> rank 0, ...) indexed by the token ids of the pair, so a lookup during
// merging costs two vocabulary probes and one integer probe and allocates nothing.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizer/vocab.h"

namespace osc {

class MergeRanks {
 public:
  MergeRanks() = default;
  // Rank = position in `merges`. Throws BadInput naming `where` and the merge's index when a side
  // or the merged text is not a token. A repeated pair keeps its first (best) rank.
  MergeRanks(const std::vector<std::pair<std::string, std::string>>& merges, const Vocab& vocab,
             const std::string& where);

  bool empty() const { return ranks_.empty(); }
  size_t size() const { return ranks_.size(); }
  std::optional<int32_t> rank(std::string_view left, std::string_view right, const Vocab& vocab) const;

 private:
  static uint64_t key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  std::unordered_map<uint64_t, int32_t> ranks_;
};

// "a b" -> {"a", "b"}: merges.txt lines and GGUF tokenizer.ggml.merges entries. Throws BadInput
// naming `where` and the line for text without exactly one separating space.
std::pair<std::string, std::string> split_merge_line(std::string_view line, const std::string& where, size_t index);

}  // namespace osc
