// vocab.json / encoder.json ({"text": id}) with merges.txt / vocab.bpe (one "a b" merge a line,
// an optional "#version" first line): GPT-2-style byte-level BPE files.
#include <sstream>

#include "core/error.h"
#include "core/json_fields.h"
#include "core/text_file.h"
#include "tokenizer/byte_level_bpe.h"
#include "tokenizer/loaders.h"
#include "tokenizer/pre_regexes.h"
#include "tokenizer/special_ids.h"

namespace osc {
namespace {

// Ids are nearly dense; one far beyond the number of entries is refused before sizing anything.
constexpr int64_t kIdSlack = 65536;

std::vector<Token> read_vocab_object(const std::string& path) {
  const nlohmann::json vocab = read_json_file(path);
  OSC_CHECK_INPUT(vocab.is_object(), path, "not a JSON object of token -> id");
  OSC_CHECK_INPUT(!vocab.empty(), path, "the vocabulary is empty");
  std::vector<Token> tokens;
  for (const auto& [text, id_value] : vocab.items()) {
    OSC_CHECK_INPUT(id_value.is_number_integer(), path, "the id of \"" + text + "\" is not an integer");
    const int64_t id = id_value.get<int64_t>();
    const int64_t limit = static_cast<int64_t>(vocab.size()) + kIdSlack;
    OSC_CHECK_INPUT(id >= 0 && id < limit, path,
                    "\"" + text + "\" has id " + std::to_string(id) + ", outside [0, " + std::to_string(limit) + ")");
    if (tokens.size() <= static_cast<size_t>(id)) tokens.resize(static_cast<size_t>(id) + 1, Token{"", 0.0f, TokenType::Unused});
    tokens[static_cast<size_t>(id)] = Token{text, 0.0f, TokenType::Normal};
  }
  return tokens;
}

std::vector<std::pair<std::string, std::string>> read_merges_file(const std::string& path) {
  std::istringstream lines(read_text_file(path));
  std::vector<std::pair<std::string, std::string>> merges;
  std::string line;
  for (size_t number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (number == 1 && line.starts_with("#version"))) continue;
    merges.push_back(split_merge_line(line, path + " line " + std::to_string(number), merges.size()));
  }
  return merges;
}

// "<|endoftext|>" is GPT-2's only special token: BOS, EOS and a control token at once.
std::vector<Token> mark_endoftext(std::vector<Token> tokens) {
  for (Token& t : tokens)
    if (t.text == "<|endoftext|>") t.type = TokenType::Control;
  return tokens;
}

}  // namespace

std::unique_ptr<Tokenizer> load_vocab_and_merges(const std::string& vocab_path, const std::string& merges_path) {
  Vocab vocab(mark_endoftext(read_vocab_object(vocab_path)), vocab_path);
  TokenizerInfo info;
  info.source = vocab_path;
  info.bos_id = info.eos_id = vocab.find("<|endoftext|>");
  info.add_bos = false;
  info.pre_tokenizer = "gpt-2";
  apply_tokenizer_config(parent_directory(vocab_path), vocab, info);
  ByteLevelOptions options;
  options.splitters.emplace_back(gpt2_regex(), vocab_path);
  options.merges = MergeRanks(read_merges_file(merges_path), vocab, merges_path);
  return std::make_unique<ByteLevelBpe>(std::move(vocab), std::move(info), std::move(options));
}

}  // namespace osc
