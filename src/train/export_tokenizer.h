// The tokenizer of an exported run, where the trainer can write one itself: data whose ids are the
// 256 byte values plus one special id 256 (`prepare --tokenizer byte`, whose 256 is end-of-text,
// and the Bigram-Backcopy task with --vocab 256, whose 256 is BOS). The export then carries a
// byte-level tokenizer.json without merges (byte b -> id b) and `scan`, `run --text` and
// `perplexity` read text with it. Runs on other tokenizers get no tokenizer file.
#pragma once
#include <cstdint>
#include <string>

#include "train/token_data.h"

namespace osc::train {

// Writes dir/tokenizer.json (+ tokenizer_config.json, whose model_max_length is the model's
// context) when the data is byte-valued; returns whether it did.
bool export_byte_tokenizer(const TokenDataMeta& meta, int64_t context, const std::string& dir);

}  // namespace osc::train
