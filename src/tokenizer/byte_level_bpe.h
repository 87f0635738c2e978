// Byte-level BPE (GPT-2, LLaMA-3, Qwen2, Falcon, MPT, GPT-NeoX, StarCoder, DeepSeek, ...): the
// family's regexes cut the text into pieces, each piece's bytes are written in GPT-2's byte
// alphabet and merged by rank. Invalid UTF-8 input is replaced by U+FFFD first, as the references do;
// then the NFC normalizer applies where the tokenizer has one.
#pragma once
#include "tokenizer/merge_ranks.h"
#include "tokenizer/regex_split.h"
#include "tokenizer/tokenizer.h"

namespace osc {

struct ByteLevelOptions {
  std::vector<RegexSplitter> splitters;      // applied in turn
  MergeRanks merges;
  bool ignore_merges = false;                // a piece that is a token is emitted whole (LLaMA-3)
  PrefixSpace prefix_space = PrefixSpace::Never;  // HF ByteLevel add_prefix_space
  bool nfc = false;                               // HF NFC normalizer (Qwen2/3)
};

class ByteLevelBpe : public Tokenizer {
 public:
  ByteLevelBpe(Vocab vocab, TokenizerInfo info, ByteLevelOptions options);
  std::string token_bytes(int32_t id) const override;

 protected:
  void encode_text(std::string_view text, bool at_start, std::vector<int32_t>& out) const override;

 private:
  void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;
  void append_unmerged(std::string_view symbol, std::vector<int32_t>& out) const;

  ByteLevelOptions options_;
};

}  // namespace osc
