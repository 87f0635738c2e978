#include "tokenizer/bpe_merge.h"

#include <algorithm>
#include <queue>

#include "tokenizer/utf8.h"

namespace osc {
namespace {

struct Symbol {
  size_t start = 0, length = 0;  // length 0: merged into its left neighbour
  int prev = -1, next = -1;
};

struct Candidate {
  double priority;
  int left, right;
  size_t length;  // combined length when queued; a mismatch later means the pair is stale
};

struct WorseCandidate {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.left > b.left;
  }
};

class MergeSession {
 public:
  MergeSession(std::string_view word, const PairPriority& priority) : word_(word), priority_(priority) {}

  std::vector<std::string_view> run() {
    split_characters();
    for (size_t i = 1; i < symbols_.size(); ++i) queue_pair(static_cast<int>(i) - 1, static_cast<int>(i));
    while (!queue_.empty()) {
      const Candidate c = queue_.top();
      queue_.pop();
      Symbol& left = symbols_[static_cast<size_t>(c.left)];
      Symbol& right = symbols_[static_cast<size_t>(c.right)];
      if (left.length == 0 || right.length == 0 || left.length + right.length != c.length) continue;
      merge(c.left, c.right);
    }
    return collect();
  }

 private:
  void split_characters() {
    for (size_t pos = 0; pos < word_.size();) {
      // A byte that starts no valid sequence is a symbol of its own, so that byte fallback gives
      // back exactly the input bytes (llama.cpp's lead-byte length can swallow the next character).
      const size_t length = std::max<size_t>(1, utf8_valid_length(word_, pos));
      const int index = static_cast<int>(symbols_.size());
      symbols_.push_back({pos, length, index - 1, -1});
      if (index > 0) symbols_[static_cast<size_t>(index) - 1].next = index;
      pos += length;
    }
  }

  std::string_view text(const Symbol& s) const { return word_.substr(s.start, s.length); }

  void queue_pair(int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols_[static_cast<size_t>(left)];
    const Symbol& r = symbols_[static_cast<size_t>(right)];
    if (auto p = priority_(text(l), text(r))) queue_.push({*p, left, right, l.length + r.length});
  }

  void merge(int left_index, int right_index) {
    Symbol& left = symbols_[static_cast<size_t>(left_index)];
    Symbol& right = symbols_[static_cast<size_t>(right_index)];
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols_[static_cast<size_t>(right.next)].prev = left_index;
    queue_pair(left.prev, left_index);
    queue_pair(left_index, left.next);
  }

  std::vector<std::string_view> collect() const {
    std::vector<std::string_view> out;
    for (int i = symbols_.empty() ? -1 : 0; i >= 0; i = symbols_[static_cast<size_t>(i)].next)
      out.push_back(text(symbols_[static_cast<size_t>(i)]));
    return out;
  }

  std::string_view word_;
  const PairPriority& priority_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Candidate, std::vector<Candidate>, WorseCandidate> queue_;
};

}  // namespace

std::vector<std::string_view> bpe_merge(std::string_view word, const PairPriority& priority) {
  return MergeSession(word, priority).run();
}

}  // namespace osc
