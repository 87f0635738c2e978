// WordPiece (BERT and its descendants such as BGE): the text is normalized and cut into words
// (tokenizer/bert_text.h), then each word is covered greedily from the left by the longest
// vocabulary entry; pieces after the first are "continuing" entries. A word with any position that
// no entry covers, or longer than max_input_chars_per_word characters, becomes the unknown token.
//
// Vocabularies mark word-start and continuing entries differently: HF's tokenizer.json / vocab.txt
// store "the" and "##ing", llama.cpp's GGUF stores "▁the" and "ing". Both are read as stored.
#pragma once
#include "tokenizer/bert_text.h"
#include "tokenizer/tokenizer.h"

namespace osc {

struct WordPieceOptions {
  BertNormalizerOptions normalizer;
  std::string word_start_prefix;         // "▁" (GGUF) or "" (HF)
  std::string continuing_prefix = "##";  // "##" (HF) or "" (GGUF)
  size_t max_input_chars_per_word = 100;
};

class WordPiece : public Tokenizer {
 public:
  WordPiece(Vocab vocab, TokenizerInfo info, WordPieceOptions options);
  // A word-start entry stands for " word", a continuing one for "ing"; decode drops the first space.
  std::string token_bytes(int32_t id) const override;

 protected:
  void encode_text(std::string_view text, bool at_start, std::vector<int32_t>& out) const override;
  void finish_decoded(std::string& text) const override;

 private:
  // Appends the word's pieces; false (nothing appended) if some position has no entry.
  bool encode_word(std::string_view word, std::vector<int32_t>& out) const;
  // The longest entry that covers word[start, ...): its id and byte length, or {-1, 0}.
  std::pair<int32_t, size_t> longest_entry(std::string_view word, size_t start, std::string& key) const;

  WordPieceOptions options_;
  size_t longest_entry_bytes_ = 0;  // no entry is longer (in bytes, prefix included): bounds the search
};

}  // namespace osc
