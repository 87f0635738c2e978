// GGUF tokenizer metadata (tokenizer.ggml.*), read as llama.cpp reads it.
#include "core/error.h"
#include "formats/gguf.h"
#include "tokenizer/byte_level_bpe.h"
#include "tokenizer/loaders.h"
#include "tokenizer/merge_ranks.h"
#include "tokenizer/pre_regexes.h"
#include "tokenizer/sentencepiece_bpe.h"
#include "tokenizer/wordpiece.h"

namespace osc {
namespace {

bool is_byte_piece(std::string_view text) { return text.size() == 6 && text.starts_with("<0x") && text.back() == '>'; }

std::vector<Token> read_tokens(const GgufFile& gguf) {
  const std::string& where = gguf.path();
  OSC_CHECK_INPUT(gguf.has("tokenizer.ggml.tokens"), where, "no tokenizer.ggml.tokens: the file has no vocabulary");
  const auto& texts = gguf.string_array_view("tokenizer.ggml.tokens");
  OSC_CHECK_INPUT(!texts.empty(), where, "tokenizer.ggml.tokens is empty");
  std::vector<float> scores;
  std::vector<int32_t> types;
  if (gguf.has("tokenizer.ggml.scores")) scores = gguf.get_f32_array("tokenizer.ggml.scores");
  if (gguf.has("tokenizer.ggml.token_type")) types = gguf.get_i32_array("tokenizer.ggml.token_type");
  OSC_CHECK_INPUT(scores.empty() || scores.size() == texts.size(), where,
                  "tokenizer.ggml.scores has " + std::to_string(scores.size()) + " entries for " +
                      std::to_string(texts.size()) + " tokens");
  OSC_CHECK_INPUT(types.empty() || types.size() == texts.size(), where,
                  "tokenizer.ggml.token_type has " + std::to_string(types.size()) + " entries for " +
                      std::to_string(texts.size()) + " tokens");
  std::vector<Token> tokens(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    tokens[i].text = std::string(texts[i]);
    if (!scores.empty()) tokens[i].score = scores[i];
    if (types.empty() && is_byte_piece(texts[i])) tokens[i].type = TokenType::Byte;  // files without token_type
    if (!types.empty()) {
      OSC_CHECK_INPUT(types[i] >= 0 && types[i] <= 6, where,
                      "token " + std::to_string(i) + " has unknown type " + std::to_string(types[i]));
      tokens[i].type = static_cast<TokenType>(types[i]);
    }
  }
  return tokens;
}

int32_t special_id(const GgufFile& gguf, const std::string& key, int32_t fallback) {
  if (!gguf.has(key)) return fallback;
  const int64_t id = gguf.get_i64(key);
  return id < 0 || id > INT32_MAX ? -1 : static_cast<int32_t>(id);
}

TokenizerInfo read_info(const GgufFile& gguf, bool sentencepiece, bool add_bos_default) {
  TokenizerInfo info;
  info.source = gguf.path();
  // llama.cpp's defaults when the keys are absent: SentencePiece numbers <unk> <s> </s> as 0 1 2.
  info.bos_id = special_id(gguf, "tokenizer.ggml.bos_token_id", sentencepiece ? 1 : -1);
  info.eos_id = special_id(gguf, "tokenizer.ggml.eos_token_id", sentencepiece ? 2 : -1);
  info.unk_id = special_id(gguf, "tokenizer.ggml.unknown_token_id", sentencepiece ? 0 : -1);
  info.add_bos = gguf.get_bool("tokenizer.ggml.add_bos_token", add_bos_default);
  return info;
}

std::unique_ptr<Tokenizer> build_sentencepiece(const GgufFile& gguf) {
  Vocab vocab(read_tokens(gguf), gguf.path());
  SentencePieceOptions options;
  options.dummy_prefix =
      gguf.get_bool("tokenizer.ggml.add_space_prefix", true) ? PrefixSpace::Always : PrefixSpace::Never;
  options.remove_extra_whitespaces = gguf.get_bool("tokenizer.ggml.remove_extra_whitespaces", false);
  return std::make_unique<SentencePieceBpe>(std::move(vocab), read_info(gguf, true, true), std::move(options));
}

std::vector<std::pair<std::string, std::string>> read_merges(const GgufFile& gguf) {
  OSC_CHECK_INPUT(gguf.has("tokenizer.ggml.merges"), gguf.path(), "a gpt2 tokenizer without tokenizer.ggml.merges");
  const auto& lines = gguf.string_array_view("tokenizer.ggml.merges");
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) merges.push_back(split_merge_line(lines[i], gguf.path(), i));
  return merges;
}

std::unique_ptr<Tokenizer> build_byte_level(const GgufFile& gguf) {
  const std::string pre = gguf.get_string("tokenizer.ggml.pre", "default");
  const auto family = pre_tokenizer_family(pre);
  OSC_CHECK_INPUT(family.has_value(), gguf.path(), "tokenizer.ggml.pre \"" + pre + "\" is not a known pre-tokenizer");
  Vocab vocab(read_tokens(gguf), gguf.path());
  ByteLevelOptions options;
  for (const std::string& regex : family->regexes) options.splitters.emplace_back(regex, gguf.path());
  options.merges = MergeRanks(read_merges(gguf), vocab, gguf.path());
  options.ignore_merges = family->ignore_merges;
  // LLaMA-3 GGUFs written before the add_bos key existed still expect BOS (llama.cpp's default).
  TokenizerInfo info = read_info(gguf, false, family->ignore_merges);
  info.pre_tokenizer = pre;
  return std::make_unique<ByteLevelBpe>(std::move(vocab), std::move(info), std::move(options));
}

// llama.cpp's WPM vocabulary: word-start entries carry a "▁" prefix, continuing ones none ("##"
// removed). The normalizer settings are BERT's uncased defaults, which llama.cpp always applies.
std::unique_ptr<Tokenizer> build_wordpiece(const GgufFile& gguf) {
  Vocab vocab(read_tokens(gguf), gguf.path());
  TokenizerInfo info = read_info(gguf, false, true);
  if (info.unk_id < 0) info.unk_id = vocab.find("[UNK]");
  if (!gguf.has("tokenizer.ggml.bos_token_id")) info.bos_id = vocab.find("[CLS]");
  if (!gguf.has("tokenizer.ggml.eos_token_id")) info.eos_id = vocab.find("[SEP]");
  info.pre_tokenizer = gguf.get_string("tokenizer.ggml.pre", "default");
  WordPieceOptions options;
  options.word_start_prefix = "\xE2\x96\x81";
  options.continuing_prefix.clear();
  return std::make_unique<WordPiece>(std::move(vocab), std::move(info), std::move(options));
}

}  // namespace

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path) {
  const GgufFile gguf = GgufFile::open(path);
  const std::string model = gguf.get_string("tokenizer.ggml.model", "");
  if (model == "llama") return build_sentencepiece(gguf);
  if (model == "gpt2") return build_byte_level(gguf);
  if (model == "bert") return build_wordpiece(gguf);
  if (model.empty()) throw_bad_input(path, "no tokenizer.ggml.model: the file has no tokenizer");
  throw_bad_input(path, "tokenizer.ggml.model \"" + model + "\" is not supported; only \"llama\", \"gpt2\" and \"bert\"");
}

}  // namespace osc
