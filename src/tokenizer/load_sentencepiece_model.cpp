// tokenizer.model: SentencePiece's ModelProto. Fields used (sentencepiece_model.proto):
//   ModelProto      1 pieces (repeated SentencePiece), 2 trainer_spec, 3 normalizer_spec
//   SentencePiece   1 piece, 2 score, 3 type
//   TrainerSpec     3 model_type (1 unigram, 2 BPE), 35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id
//   NormalizerSpec  3 add_dummy_prefix, 4 remove_extra_whitespaces (both default true)
#include "core/error.h"
#include "core/text_file.h"
#include "tokenizer/loaders.h"
#include "tokenizer/protobuf_reader.h"
#include "tokenizer/sentencepiece_bpe.h"
#include "tokenizer/special_ids.h"

namespace osc {
namespace {

struct SpModel {
  std::vector<Token> tokens;
  int64_t model_type = 1;  // proto default: unigram
  bool byte_fallback = false;
  int64_t unk_id = 0, bos_id = 1, eos_id = 2;
  bool add_dummy_prefix = true, remove_extra_whitespaces = true;
};

Token read_piece(std::string_view bytes, const std::string& where) {
  Token t;
  ProtoReader reader(bytes, where);
  for (ProtoField f; reader.next(f);) {
    if (f.number == 1 && f.wire_type == 2) t.text = std::string(f.bytes);
    else if (f.number == 2 && f.wire_type == 5) t.score = f.as_float();
    else if (f.number == 3 && f.wire_type == 0) {
      OSC_CHECK_INPUT(f.varint >= 1 && f.varint <= 6, where, "piece \"" + t.text + "\" has unknown type " + std::to_string(f.varint));
      t.type = static_cast<TokenType>(f.varint);
    }
  }
  return t;
}

void read_trainer_spec(std::string_view bytes, SpModel& m, const std::string& where) {
  ProtoReader reader(bytes, where);
  for (ProtoField f; reader.next(f);) {
    if (f.wire_type != 0) continue;
    switch (f.number) {
      case 3: m.model_type = f.as_int(); break;
      case 35: m.byte_fallback = f.varint != 0; break;
      case 40: m.unk_id = static_cast<int32_t>(f.varint); break;  // int32 fields: negatives are 10-byte varints
      case 41: m.bos_id = static_cast<int32_t>(f.varint); break;
      case 42: m.eos_id = static_cast<int32_t>(f.varint); break;
      default: break;
    }
  }
}

void read_normalizer_spec(std::string_view bytes, SpModel& m, const std::string& where) {
  ProtoReader reader(bytes, where);
  for (ProtoField f; reader.next(f);) {
    if (f.number == 3 && f.wire_type == 0) m.add_dummy_prefix = f.varint != 0;
    if (f.number == 4 && f.wire_type == 0) m.remove_extra_whitespaces = f.varint != 0;
  }
}

SpModel read_model(const std::string& data, const std::string& where) {
  SpModel m;
  ProtoReader reader(data, where);
  for (ProtoField f; reader.next(f);) {
    if (f.wire_type != 2) continue;
    if (f.number == 1) m.tokens.push_back(read_piece(f.bytes, where));
    else if (f.number == 2) read_trainer_spec(f.bytes, m, where);
    else if (f.number == 3) read_normalizer_spec(f.bytes, m, where);
  }
  return m;
}

int32_t checked_special(int64_t id, const Vocab& vocab) { return id >= 0 && id < vocab.size() ? static_cast<int32_t>(id) : -1; }

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_model(const std::string& path) {
  SpModel m = read_model(read_text_file(path), path);
  OSC_CHECK_INPUT(!m.tokens.empty(), path, "no pieces: not a SentencePiece model, or an empty vocabulary");
  if (m.model_type != 2)
    throw_bad_input(path, "SentencePiece model type " + std::to_string(m.model_type) +
                              " is not supported (only BPE = 2; unigram models such as T5's are not)");
  Vocab vocab(std::move(m.tokens), path);
  TokenizerInfo info;
  info.source = path;
  info.unk_id = checked_special(m.unk_id, vocab);
  info.bos_id = checked_special(m.bos_id, vocab);
  info.eos_id = checked_special(m.eos_id, vocab);
  info.add_bos = info.bos_id >= 0;  // LlamaTokenizer's default; tokenizer_config.json may override
  apply_tokenizer_config(parent_directory(path), vocab, info);
  SentencePieceOptions options;
  options.dummy_prefix = m.add_dummy_prefix ? PrefixSpace::Always : PrefixSpace::Never;
  options.remove_extra_whitespaces = m.remove_extra_whitespaces;
  options.byte_fallback = m.byte_fallback;
  return std::make_unique<SentencePieceBpe>(std::move(vocab), std::move(info), std::move(options));
}

}  // namespace osc
