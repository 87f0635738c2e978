// llama2.c tokenizer.bin (tok512.bin). llama2.c's export wrote SentencePiece pieces with '▁' as a
// space and BOS / EOS as "\n<s>\n" / "\n</s>\n"; this turns them back into SentencePiece pieces so
// the SentencePiece-style BPE (score merging, dummy prefix, <0xXX> byte fallback) runs unchanged,
// as run.c's encoder does.
#include "core/error.h"
#include "formats/llama2c.h"
#include "tokenizer/loaders.h"
#include "tokenizer/sentencepiece_bpe.h"

namespace osc {
namespace {

bool is_byte_piece(const std::string& text) {
  return text.size() == 6 && text.starts_with("<0x") && text.back() == '>';
}

Token to_sentencepiece(const std::string& raw, float score, int32_t id) {
  Token t{raw, score, TokenType::Normal};
  if (raw == "\n<s>\n" || raw == "\n</s>\n") {
    t.text = raw.substr(1, raw.size() - 2);
    t.type = TokenType::Control;
  } else if (id == 0 && raw == "<unk>") {
    t.type = TokenType::Unknown;
  } else if (is_byte_piece(raw)) {
    t.type = TokenType::Byte;
  } else {
    std::string text;
    for (char c : raw) text += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
    t.text = std::move(text);
  }
  return t;
}

}  // namespace

std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::string& path) {
  const Llama2cVocab raw = read_llama2c_tokenizer(path);
  OSC_CHECK_INPUT(raw.pieces.size() == raw.scores.size(), path, "pieces and scores differ in number");
  std::vector<Token> tokens;
  tokens.reserve(raw.pieces.size());
  for (size_t i = 0; i < raw.pieces.size(); ++i)
    tokens.push_back(to_sentencepiece(raw.pieces[i], raw.scores[i], static_cast<int32_t>(i)));
  Vocab vocab(std::move(tokens), path);
  TokenizerInfo info;
  info.source = path;
  info.unk_id = vocab.find("<unk>");
  info.bos_id = vocab.find("<s>");
  info.eos_id = vocab.find("</s>");
  info.add_bos = info.bos_id >= 0;  // run.c always starts with BOS
  return std::make_unique<SentencePieceBpe>(std::move(vocab), std::move(info), SentencePieceOptions{});
}

}  // namespace osc
