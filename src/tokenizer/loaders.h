// One loader per tokenizer file format; load_tokenizer (tokenizer/load_tokenizer.h) picks one.
// Each throws BadInput naming the file and the problem for anything malformed or unsupported.
#pragma once
#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace osc {

std::unique_ptr<Tokenizer> load_hf_tokenizer_json(const std::string& path);
// tokenizer.model: a SentencePiece ModelProto (BPE models only).
std::unique_ptr<Tokenizer> load_sentencepiece_model(const std::string& path);
// GGUF metadata: tokenizer.ggml.model "llama" (SentencePiece), "gpt2" (byte-level BPE) or "bert"
// (WordPiece).
std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path);
// A vocabulary JSON object ({"text": id}: vocab.json / GPT-2's encoder.json) plus a merges file
// (merges.txt / vocab.bpe), with GPT-2's pre-tokenizer.
std::unique_ptr<Tokenizer> load_vocab_and_merges(const std::string& vocab_path, const std::string& merges_path);
// llama2.c tokenizer.bin (tok512.bin): scores and pieces; a SentencePiece-style BPE.
std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::string& path);

}  // namespace osc
