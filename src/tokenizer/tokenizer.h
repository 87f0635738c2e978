// Tokenizer: text <-> token ids, matching the reference implementation of each model family
// (llama.cpp / SentencePiece for SentencePiece-style BPE, HF tokenizers for byte-level BPE).
// Build one with load_tokenizer (tokenizer/load_tokenizer.h).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/special_split.h"
#include "tokenizer/vocab.h"

namespace osc {

// Where a tokenizer adds its leading space ("▁" or "Ġ") to a piece of text.
enum class PrefixSpace {
  Never,
  First,   // only to text at the very start of the input (HF Metaspace prepend_scheme "first")
  Always,  // to every stretch of text, i.e. also after each special token (llama.cpp, legacy HF)
};

struct TokenizerInfo {
  std::string source;        // the file it was read from (for messages)
  std::string kind;          // "sentencepiece-bpe", "byte-level-bpe", "wordpiece"
  std::string pre_tokenizer;  // byte-level: family name ("llama-bpe", "qwen2", ...) or "tokenizer.json"
  int32_t bos_id = -1, eos_id = -1, unk_id = -1;
  bool add_bos = false;       // the model's own default for encode
};

struct EncodeOptions {
  bool add_bos = false;
  // Also split control tokens ("<s>", "<|endoftext|>") out of the text. User-defined tokens are
  // always split out; control tokens are plain text unless this is set (llama.cpp's default).
  bool parse_special = false;
};

class Tokenizer {
 public:
  Tokenizer(Vocab vocab, TokenizerInfo info);
  virtual ~Tokenizer() = default;

  std::vector<int32_t> encode(std::string_view text, bool add_bos) const;
  std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options) const;
  // The text the ids stand for; control tokens render as nothing. May end inside a UTF-8
  // sequence when the ids do. Throws BadInput for an id outside the vocabulary.
  std::string decode(const std::vector<int32_t>& ids) const;
  // The token's text as stored in the vocabulary ("▁the", "Ġthe", "<0x0A>").
  const std::string& piece(int32_t id) const;
  // A readable label for figures: leading "▁"/"Ġ" as a space, byte tokens as their character,
  // control characters escaped ("\n", "\x1b"), control tokens as their text ("<s>").
  std::string display_piece(int32_t id) const;
  // The bytes the token stands for on its own (control tokens: empty).
  virtual std::string token_bytes(int32_t id) const = 0;

  int32_t vocab_size() const { return vocab_.size(); }
  int32_t bos_id() const { return info_.bos_id; }
  int32_t eos_id() const { return info_.eos_id; }
  bool add_bos_default() const { return info_.add_bos; }
  const TokenizerInfo& info() const { return info_; }
  const Vocab& vocab() const { return vocab_; }

 protected:
  // Appends the ids of one stretch of text that holds no special token. `at_start`: the stretch
  // begins the input.
  virtual void encode_text(std::string_view text, bool at_start, std::vector<int32_t>& out) const = 0;
  // Final touch on decoded text (SentencePiece drops the dummy-prefix space).
  virtual void finish_decoded(std::string& text) const { (void)text; }
  void check_id(int32_t id) const;

  Vocab vocab_;
  TokenizerInfo info_;
  SpecialSplitter specials_;
};

}  // namespace osc
