#include "tokenizer/merge_ranks.h"

#include "core/error.h"

namespace osc {

MergeRanks::MergeRanks(const std::vector<std::pair<std::string, std::string>>& merges, const Vocab& vocab,
                       const std::string& where) {
  ranks_.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string& left = merges[i].first;  // named, not bound: clang 14 lambdas cannot capture bindings
    const std::string& right = merges[i].second;
    const int32_t l = vocab.find(left), r = vocab.find(right);
    const auto fail = [&](const std::string& text) {
      throw_bad_input(where, "merge " + std::to_string(i) + " (\"" + left + " " + right + "\") names \"" + text +
                                 "\", which is not a token");
    };
    if (l < 0) fail(left);
    if (r < 0) fail(right);
    if (vocab.find(left + right) < 0) fail(left + right);
    ranks_.emplace(key(l, r), static_cast<int32_t>(i));
  }
}

std::optional<int32_t> MergeRanks::rank(std::string_view left, std::string_view right, const Vocab& vocab) const {
  const int32_t l = vocab.find(left);
  if (l < 0) return std::nullopt;
  const int32_t r = vocab.find(right);
  if (r < 0) return std::nullopt;
  auto it = ranks_.find(key(l, r));
  if (it == ranks_.end()) return std::nullopt;
  return it->second;
}

std::pair<std::string, std::string> split_merge_line(std::string_view line, const std::string& where, size_t index) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 >= line.size() ||
      line.find(' ', space + 1) != std::string_view::npos)
    throw_bad_input(where, "merge " + std::to_string(index) + " (\"" + std::string(line.substr(0, 80)) +
                               "\") is not two tokens separated by one space");
  return {std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
}

}  // namespace osc
