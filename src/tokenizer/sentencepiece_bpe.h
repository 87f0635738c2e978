// SentencePiece-style BPE (LLaMA-1/2, Mistral, Mixtral, TinyLlama, Phi-3, llama2.c): spaces become
// '▁', a dummy '▁' starts the text, characters merge greedily, and characters that no token
// covers fall back to "<0xXX>" byte tokens. Pairs are ranked by the merged token's score
// (SentencePiece, llama.cpp, llama2.c) or, for HF tokenizer.json files, by the merges list.
#pragma once
#include <array>
#include <optional>

#include "tokenizer/merge_ranks.h"
#include "tokenizer/tokenizer.h"

namespace osc {

struct SentencePieceOptions {
  PrefixSpace dummy_prefix = PrefixSpace::Always;
  bool remove_extra_whitespaces = false;  // SentencePiece normalizer: strip and squeeze spaces
  bool byte_fallback = true;
  bool split_on_space = false;            // HF Metaspace(split=true): each "▁word" merges alone
  bool nfc = false;                       // HF NFC normalizer; invalid UTF-8 input is left as it is
  std::optional<MergeRanks> merges;       // rank pairs by merges instead of scores
};

class SentencePieceBpe : public Tokenizer {
 public:
  SentencePieceBpe(Vocab vocab, TokenizerInfo info, SentencePieceOptions options);
  std::string token_bytes(int32_t id) const override;

 protected:
  void encode_text(std::string_view text, bool at_start, std::vector<int32_t>& out) const override;
  void finish_decoded(std::string& text) const override;

 private:
  std::string normalize(std::string_view text, bool at_start) const;
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
  void append_fallback(std::string_view symbol, std::vector<int32_t>& out) const;
  std::optional<double> pair_priority(std::string_view left, std::string_view right) const;

  SentencePieceOptions options_;
  std::array<int32_t, 256> byte_ids_;  // id of "<0xXX>", -1 if absent
};

}  // namespace osc
