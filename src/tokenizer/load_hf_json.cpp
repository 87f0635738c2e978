// tokenizer.json (HF tokenizers): SentencePiece-style BPE (LLaMA-2 layout: '▁' normalizer or
// Metaspace, byte fallback), byte-level BPE (ByteLevel pre-tokenizer/decoder with Split regexes) or
// WordPiece (BertNormalizer + BertPreTokenizer).
#include "core/error.h"
#include "core/json_fields.h"
#include "tokenizer/byte_level_bpe.h"
#include "tokenizer/hf_json_parts.h"
#include "tokenizer/loaders.h"
#include "tokenizer/sentencepiece_bpe.h"
#include "tokenizer/special_ids.h"
#include "tokenizer/wordpiece.h"

namespace osc {
namespace {

TokenizerInfo read_info(const nlohmann::json& root, const Vocab& vocab, const HfModelParts& model,
                        const std::string& path) {
  TokenizerInfo info;
  info.source = path;
  info.unk_id = id_of_token_text(vocab, model.unk_token, path, "unk_token");
  const auto bos = hf_post_processor_bos(root, path);
  info.bos_id = id_of_token_text(vocab, bos, path, "post_processor BOS");
  info.add_bos = info.bos_id >= 0;
  apply_tokenizer_config(parent_directory(path), vocab, info);
  return info;
}

std::vector<Token> mark_unknown(std::vector<Token> tokens, const std::optional<std::string>& unk_text) {
  if (!unk_text) return tokens;
  for (Token& t : tokens)
    if (t.text == *unk_text) t.type = TokenType::Unknown;
  return tokens;
}

std::unique_ptr<Tokenizer> build_sentencepiece(Vocab vocab, TokenizerInfo info, const HfModelParts& model,
                                               const HfPipeline& pipeline, const std::string& path) {
  SentencePieceOptions options;
  options.dummy_prefix = pipeline.sentencepiece_prefix;
  options.byte_fallback = model.byte_fallback;
  options.split_on_space = pipeline.metaspace_split;
  options.nfc = pipeline.nfc;
  options.merges.emplace(model.merges, vocab, path);
  OSC_CHECK_INPUT(pipeline.regexes.empty(), path, "regex pre-tokenizers with '▁' spaces are not supported");
  return std::make_unique<SentencePieceBpe>(std::move(vocab), std::move(info), std::move(options));
}

std::unique_ptr<Tokenizer> build_byte_level(Vocab vocab, TokenizerInfo info, const HfModelParts& model,
                                            const HfPipeline& pipeline, const std::string& path) {
  ByteLevelOptions options;
  for (const auto& [pattern, drop] : pipeline.regexes) options.splitters.emplace_back(pattern, path, drop);
  options.merges = MergeRanks(model.merges, vocab, path);
  options.ignore_merges = model.ignore_merges;
  options.prefix_space = pipeline.byte_level_prefix;
  options.nfc = pipeline.nfc;
  info.pre_tokenizer = "tokenizer.json";
  return std::make_unique<ByteLevelBpe>(std::move(vocab), std::move(info), std::move(options));
}

std::unique_ptr<Tokenizer> build_wordpiece(Vocab vocab, TokenizerInfo info, const HfModelParts& model,
                                           const HfPipeline& pipeline, const std::string& path) {
  OSC_CHECK_INPUT(pipeline.bert_pre_tokenizer, path, "WordPiece without the BertPreTokenizer is not supported");
  OSC_CHECK_INPUT(!pipeline.byte_level && !pipeline.sentencepiece_spaces && pipeline.regexes.empty() && !pipeline.nfc,
                  path, "WordPiece with pre-tokenizers or normalizers other than BERT's is not supported");
  WordPieceOptions options;
  // Without a BertNormalizer HF leaves the text as it is.
  options.normalizer = pipeline.bert_normalizer.value_or(BertNormalizerOptions{false, false, false, false});
  options.continuing_prefix = model.continuing_prefix;
  options.max_input_chars_per_word = model.max_input_chars_per_word;
  info.pre_tokenizer = "bert";
  return std::make_unique<WordPiece>(std::move(vocab), std::move(info), std::move(options));
}

}  // namespace

std::unique_ptr<Tokenizer> load_hf_tokenizer_json(const std::string& path) {
  const nlohmann::json root = read_json_file(path);
  HfModelParts model = read_hf_model(root, path);
  const HfPipeline pipeline = read_hf_pipeline(root, path);
  Vocab vocab(mark_unknown(std::move(model.tokens), model.unk_token), path);
  TokenizerInfo info = read_info(root, vocab, model, path);
  if (model.type == "WordPiece") return build_wordpiece(std::move(vocab), std::move(info), model, pipeline, path);
  OSC_CHECK_INPUT(!pipeline.bert_normalizer && !pipeline.bert_pre_tokenizer, path,
                  "BERT's normalizer or pre-tokenizer with a BPE model is not supported");
  if (pipeline.byte_level) return build_byte_level(std::move(vocab), std::move(info), model, pipeline, path);
  if (pipeline.sentencepiece_spaces) return build_sentencepiece(std::move(vocab), std::move(info), model, pipeline, path);
  throw_bad_input(path, "neither a byte-level nor a SentencePiece-style BPE tokenizer (no ByteLevel or '▁' handling)");
}

}  // namespace osc
