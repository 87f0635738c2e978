#include "tokenizer/vocab.h"

#include <algorithm>

#include "core/error.h"

namespace osc {

bool is_special_type(TokenType t) {
  return t == TokenType::Control || t == TokenType::Unknown || t == TokenType::UserDefined;
}

Vocab::Vocab(std::vector<Token> tokens, const std::string& where) : tokens_(std::move(tokens)) {
  OSC_CHECK_INPUT(!tokens_.empty(), where, "the vocabulary is empty");
  OSC_CHECK_INPUT(tokens_.size() < static_cast<size_t>(INT32_MAX), where, "the vocabulary is too large");
  ids_.reserve(tokens_.size());
  for (int32_t id = 0; id < size(); ++id) ids_.insert_or_assign(tokens_[static_cast<size_t>(id)].text, id);
  index_specials();
}

int32_t Vocab::find(std::string_view text) const {
  auto it = ids_.find(text);
  return it == ids_.end() ? -1 : it->second;
}

void Vocab::index_specials() {
  special_ids_.clear();
  for (int32_t id = 0; id < size(); ++id) {
    const Token& t = tokens_[static_cast<size_t>(id)];
    if (is_special_type(t.type) && !t.text.empty()) special_ids_.push_back(id);
  }
  std::stable_sort(special_ids_.begin(), special_ids_.end(), [&](int32_t a, int32_t b) {
    return token(a).text.size() > token(b).text.size();
  });
}

}  // namespace osc
