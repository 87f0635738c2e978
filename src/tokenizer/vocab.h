// Vocab: the token table every tokenizer kind shares. Token texts are stored as the file stores
// them: SentencePiece pieces with '▁' for spaces and "<0x0A>" byte tokens, byte-level BPE tokens
// in GPT-2's byte-to-Unicode alphabet ("Ġthe").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace osc {

// The same numbering as SentencePiece's ModelProto and GGUF's tokenizer.ggml.token_type.
enum class TokenType : uint8_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TextToId = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

struct Token {
  std::string text;
  float score = 0.0f;
  TokenType type = TokenType::Normal;
  bool lstrip = false, rstrip = false;  // added tokens that swallow whitespace beside them
};

class Vocab {
 public:
  // Throws BadInput naming `where` for an empty table. A text that appears twice finds its last
  // id, as llama.cpp's token_to_id does.
  Vocab(std::vector<Token> tokens, const std::string& where);

  int32_t size() const { return static_cast<int32_t>(tokens_.size()); }
  const Token& token(int32_t id) const { return tokens_[static_cast<size_t>(id)]; }
  bool valid_id(int64_t id) const { return id >= 0 && id < size(); }
  // -1 if the text is not a token.
  int32_t find(std::string_view text) const;
  // Ids of the tokens split out of the text before the model runs (control, unknown and
  // user-defined tokens), longest text first.
  const std::vector<int32_t>& special_ids() const { return special_ids_; }

 private:
  void index_specials();
  std::vector<Token> tokens_;
  TextToId ids_;
  std::vector<int32_t> special_ids_;
};

bool is_special_type(TokenType t);  // Control, Unknown or UserDefined

}  // namespace osc
