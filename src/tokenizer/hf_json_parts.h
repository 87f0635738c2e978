// The parts of an HF tokenizer.json that outlierscope interprets: the BPE or WordPiece model
// (vocab, merges, added tokens), the normalizer and pre-tokenizer chain, and the post-processor's BOS.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/bert_text.h"
#include "tokenizer/tokenizer.h"

namespace osc {

struct HfModelParts {
  std::string type;           // "BPE" or "WordPiece"
  std::vector<Token> tokens;  // model.vocab plus added_tokens, by id
  std::vector<std::pair<std::string, std::string>> merges;  // BPE
  std::optional<std::string> unk_token;
  bool byte_fallback = false, ignore_merges = false;         // BPE
  std::string continuing_prefix = "##";                      // WordPiece
  size_t max_input_chars_per_word = 100;                     // WordPiece
};
HfModelParts read_hf_model(const nlohmann::json& root, const std::string& where);

// What the normalizer and pre-tokenizer ask for.
struct HfPipeline {
  bool sentencepiece_spaces = false;       // spaces become '▁' (Replace normalizer or Metaspace)
  PrefixSpace sentencepiece_prefix = PrefixSpace::Never;
  bool metaspace_split = false;
  bool byte_level = false;
  PrefixSpace byte_level_prefix = PrefixSpace::Never;
  std::vector<std::pair<std::string, bool>> regexes;  // pattern, drop matches; applied in turn
  bool nfc = false;                                    // NFC normalizer
  std::optional<BertNormalizerOptions> bert_normalizer;
  bool bert_pre_tokenizer = false;
};
HfPipeline read_hf_pipeline(const nlohmann::json& root, const std::string& where);

// The BOS token text if the post-processor puts one before the text.
std::optional<std::string> hf_post_processor_bos(const nlohmann::json& root, const std::string& where);

}  // namespace osc
