#include "tokenizer/tokenizer.h"

#include "core/error.h"
#include "tokenizer/display_text.h"

namespace osc {

Tokenizer::Tokenizer(Vocab vocab, TokenizerInfo info)
    : vocab_(std::move(vocab)), info_(std::move(info)), specials_(vocab_) {
  auto check_special_id = [&](int32_t& id, const char* what) {
    OSC_CHECK_INPUT(id < vocab_.size(), info_.source,
                    std::string(what) + " id " + std::to_string(id) + " is outside the vocabulary of " +
                        std::to_string(vocab_.size()));
    if (id < 0) id = -1;
  };
  check_special_id(info_.bos_id, "BOS");
  check_special_id(info_.eos_id, "EOS");
  check_special_id(info_.unk_id, "unknown-token");
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos) const {
  EncodeOptions options;
  options.add_bos = add_bos;
  return encode(text, options);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 2);
  if (options.add_bos && info_.bos_id >= 0) ids.push_back(info_.bos_id);
  for (const Fragment& f : specials_.split(text, vocab_, options.parse_special)) {
    if (f.token >= 0) ids.push_back(f.token);
    else encode_text(f.text, f.offset == 0, ids);
  }
  return ids;
}

void Tokenizer::check_id(int32_t id) const {
  if (!vocab_.valid_id(id))
    throw_bad_input(info_.source, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                      std::to_string(vocab_.size()));
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string text;
  for (int32_t id : ids) {
    check_id(id);
    text += token_bytes(id);
  }
  finish_decoded(text);
  return text;
}

const std::string& Tokenizer::piece(int32_t id) const {
  check_id(id);
  return vocab_.token(id).text;
}

std::string Tokenizer::display_piece(int32_t id) const {
  check_id(id);
  const Token& t = vocab_.token(id);
  if (t.type == TokenType::Control || t.type == TokenType::Unknown) return escape_for_display(t.text);
  return escape_for_display(token_bytes(id));
}

}  // namespace osc
