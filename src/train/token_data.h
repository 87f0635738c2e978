// Token datasets in nanoGPT's layout: DIR/train.bin and DIR/val.bin hold little-endian token ids
// (uint16, or uint32 when the vocabulary needs it), DIR/meta.json describes them. Batches are drawn
// at random offsets from an Rng, so a run's data order is reproducible from the Rng state.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/mapped_file.h"
#include "train/rng.h"

namespace osc::train {

struct TokenDataMeta {
  int64_t vocab_size = 0;
  int bytes_per_token = 2;   // "uint16" or "uint32"
  std::string tokenizer;     // "byte", "gpt2", a tokenizer path, or "bigram-backcopy"
  int64_t eot_token = -1, bos_token = -1;
  int64_t train_tokens = 0, val_tokens = 0;
  // > 0: the files are back-to-back sequences of this many tokens and batches start at their
  // beginnings (the synthetic tasks, whose sequences begin with BOS).
  int64_t aligned_sequence = 0;
  nlohmann::json extra = nlohmann::json::object();  // task details (triggers, ...)
};

nlohmann::json token_meta_to_json(const TokenDataMeta& m);
TokenDataMeta token_meta_from_json(const nlohmann::json& j, const std::string& where);

// uint16 when every id fits, else uint32.
int bytes_per_token_for_vocab(int64_t vocab_size);
// Writes ids as a .bin file (atomically); BadInput if an id does not fit the width.
void write_token_file(const std::string& path, const std::vector<int32_t>& ids, int bytes_per_token);

enum class Split { Train, Val };

class TokenDataset {
 public:
  // Throws BadInput naming the file for a missing or malformed meta.json / .bin.
  explicit TokenDataset(const std::string& dir);
  const TokenDataMeta& meta() const { return meta_; }
  int64_t size(Split s) const;
  // BadInput naming the split's file if it holds fewer than seq + 1 tokens (or, aligned,
  // sequences shorter than seq + 1): it cannot fill one window and its targets.
  void require_windows(Split s, int64_t seq) const;
  // tokens/targets [batch, seq]: targets are the next tokens (require_windows first).
  void sample(Split s, Rng& rng, int64_t batch, int64_t seq, int32_t* tokens, int32_t* targets) const;

 private:
  int32_t at(Split s, int64_t i) const;
  TokenDataMeta meta_;
  std::shared_ptr<MappedFile> train_, val_;
  std::string dir_;
};

}  // namespace osc::train
