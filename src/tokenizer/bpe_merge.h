// The greedy merge loop shared by SentencePiece-style and byte-level BPE: a word starts as one
// symbol per UTF-8 character (a byte of invalid UTF-8 is a symbol of its own); the adjacent pair with the best (lowest) priority is merged, ties
// going to the leftmost pair, until no pair can merge. SentencePiece ranks a pair by the score of
// the merged token, byte-level BPE by the merge's line in the merges list.
#pragma once
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace osc {

// Priority of merging two adjacent symbols, or nullopt if they cannot merge.
using PairPriority = std::function<std::optional<double>(std::string_view left, std::string_view right)>;

// The final symbols of `word`, in order, as views into it.
std::vector<std::string_view> bpe_merge(std::string_view word, const PairPriority& priority);

}  // namespace osc
