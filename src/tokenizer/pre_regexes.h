// The pre-tokenizer expressions of each byte-level BPE family, keyed by GGUF's tokenizer.ggml.pre
// ("llama-bpe", "qwen2", "gpt-2", ...). They are the families' own HF tokenizer.json expressions,
// written as llama.cpp writes them (case-insensitive groups spelled out), applied in turn.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace osc {

struct PreTokenizerFamily {
  std::vector<std::string> regexes;
  bool ignore_merges = false;  // LLaMA-3: a piece that is already a token is not merged
};

// nullopt for an unknown name (the caller reports it). "default" (and an absent key) gives
// llama.cpp's default expressions.
std::optional<PreTokenizerFamily> pre_tokenizer_family(const std::string& pre_name);
std::vector<std::string> known_pre_tokenizer_names();

// GPT-2's expression (HF ByteLevel pre-tokenizer with use_regex = true).
const std::string& gpt2_regex();

}  // namespace osc
