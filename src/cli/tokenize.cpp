// `outlierscope tokenize MODEL "text" [--json] [--file F] [--bos | --no-bos] [--no-parse-special]`:
// the token ids and readable pieces of a text (or of a whole file, with a tokens/s figure on
// stderr). Special-token texts such as "<s>" become those tokens, as in Hugging Face's tokenizers
// by default; --no-parse-special reads them as plain text (llama.cpp's default).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/error.h"
#include "core/text_file.h"
#include "tokenizer/load_tokenizer.h"

namespace osc::cli {
namespace {

using nlohmann::json;

struct TokenizeArgs {
  std::string model, text, file;
  bool as_json = false, bos = false, no_bos = false, no_parse_special = false;
};

json tokenizer_json(const Tokenizer& tok) {
  const TokenizerInfo& info = tok.info();
  return {{"source", info.source}, {"kind", info.kind}, {"pre_tokenizer", info.pre_tokenizer},
          {"vocab_size", tok.vocab_size()}, {"bos_id", tok.bos_id()}, {"eos_id", tok.eos_id()},
          {"add_bos_default", tok.add_bos_default()}};
}

json result_json(const Tokenizer& tok, const std::vector<int32_t>& ids, bool add_bos) {
  json pieces = json::array(), display = json::array();
  for (int32_t id : ids) {
    // Pieces may hold part of a UTF-8 character; nlohmann would refuse to dump those bytes.
    pieces.push_back(tok.piece(id));
    display.push_back(tok.display_piece(id));
  }
  return {{"tokenizer", tokenizer_json(tok)}, {"add_bos", add_bos}, {"count", ids.size()},
          {"ids", ids}, {"pieces", pieces}, {"display", display}};
}

void print_text(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::printf("%zu tokens (%s, vocab %d)\n", ids.size(), tok.info().kind.c_str(), tok.vocab_size());
  for (size_t i = 0; i < ids.size(); ++i)
    std::printf("%6zu %8d  '%s'\n", i, ids[i], tok.display_piece(ids[i]).c_str());
}

int run_tokenize(const TokenizeArgs& a) {
  OSC_CHECK_INPUT(a.file.empty() || a.text.empty(), "tokenize", "give either a text or --file, not both");
  const auto tok = load_tokenizer(a.model);
  const bool add_bos = a.bos || (!a.no_bos && tok->add_bos_default());
  EncodeOptions options;
  options.add_bos = add_bos;
  options.parse_special = !a.no_parse_special;
  const std::string text = a.file.empty() ? a.text : read_text_file(a.file);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<int32_t> ids = tok->encode(text, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (a.as_json) std::cout << result_json(*tok, ids, add_bos).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  else print_text(*tok, ids);
  std::cout.flush();
  if (!a.file.empty())
    std::fprintf(stderr, "%s: %zu bytes -> %zu tokens in %.3f s (%.0f tokens/s)\n", a.file.c_str(), text.size(),
                 ids.size(), seconds, seconds > 0 ? static_cast<double>(ids.size()) / seconds : 0.0);
  return 0;
}

const CommandRegistration registration(
    "tokenize", "Token ids and readable pieces of a text, with the model's own tokenizer", [](CLI::App& sub) {
      auto a = std::make_shared<TokenizeArgs>();
      sub.add_option("model", a->model,
                     "GGUF file, HF model folder, tokenizer.json / tokenizer.model, or llama2.c tok*.bin")
          ->required();
      sub.add_option("text", a->text, "The text to tokenize");
      sub.add_option("--file", a->file, "Tokenize this file's whole content instead (tokens/s on stderr)");
      sub.add_flag("--json", a->as_json, "Print one JSON object: ids, pieces, display labels, tokenizer settings");
      auto* bos = sub.add_flag("--bos", a->bos, "Prepend BOS even if the model does not");
      auto* no_bos = sub.add_flag("--no-bos", a->no_bos, "Do not prepend BOS even if the model does");
      bos->excludes(no_bos);
      sub.add_flag("--no-parse-special", a->no_parse_special,
                   "Read special-token texts such as <s> as plain text (default: as those tokens, like Hugging Face)");
      return [a]() { return run_tokenize(*a); };
    });

}  // namespace
}  // namespace osc::cli
