// load_tokenizer: the tokenizer of a model, from whatever holds it.
#pragma once
#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace osc {

// `path` may be a GGUF file, an HF tokenizer.json, a SentencePiece tokenizer.model, a llama2.c
// tokenizer .bin (tok512.bin), a vocab.json / encoder.json next to merges.txt / vocab.bpe, or a
// directory holding one of these (an HF model dir; searched in that order of preference:
// tokenizer.json, tokenizer.model, vocab.json + merges.txt, encoder.json + vocab.bpe, tokenizer.bin,
// tok*.bin, then a single *.gguf). Throws BadInput naming the path when nothing usable is there.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace osc
