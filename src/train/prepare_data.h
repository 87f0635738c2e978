// Builders of token datasets (token_data.h layout) for `outlierscope prepare`: tokenized text files
// and the synthetic Bigram-Backcopy task.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "train/token_data.h"

namespace osc::train {

struct TextPrepareOptions {
  std::string tokenizer = "byte";  // "byte", "gpt2", or a path load_tokenizer accepts
  std::vector<std::string> files;  // each file is one document, followed by an end-of-text token
  std::string out_dir;
  double val_fraction = 0.1;       // the last fraction of the token stream
  std::string gpt2_dir;            // where encoder.json + vocab.bpe live for "gpt2"
};

// Writes train.bin, val.bin and meta.json; returns the meta.
TokenDataMeta prepare_text_dataset(const TextPrepareOptions& o);

// Bigram-Backcopy (Guo et al. 2024, "Active-Dormant Attention Heads"): each sequence is BOS and a
// walk of a sparse random bigram Markov chain over `vocab` tokens, except that after one of the
// `triggers` trigger tokens the next token copies the token before the trigger. Token ids:
// 0..vocab-1 (triggers are the last `triggers` of them), BOS = vocab.
struct BigramBackcopyOptions {
  std::string out_dir;
  int64_t vocab = 64, triggers = 3, seq_len = 256;
  int64_t train_tokens = 1 << 20;
  double val_fraction = 0.1;
  int64_t successors = 4;  // non-zero entries per row of the transition matrix
  uint64_t seed = 1;
};

TokenDataMeta prepare_bigram_backcopy(const BigramBackcopyOptions& o);

}  // namespace osc::train
