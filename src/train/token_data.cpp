#include "train/token_data.h"

#include <cstring>
#include <filesystem>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/json_fields.h"

namespace osc::train {

nlohmann::json token_meta_to_json(const TokenDataMeta& m) {
  nlohmann::json j = {{"vocab_size", m.vocab_size},
                      {"dtype", m.bytes_per_token == 2 ? "uint16" : "uint32"},
                      {"tokenizer", m.tokenizer},
                      {"eot_token", m.eot_token},
                      {"bos_token", m.bos_token},
                      {"train_tokens", m.train_tokens},
                      {"val_tokens", m.val_tokens},
                      {"aligned_sequence", m.aligned_sequence}};
  if (!m.extra.empty()) j["task"] = m.extra;
  return j;
}

TokenDataMeta token_meta_from_json(const nlohmann::json& j, const std::string& where) {
  TokenDataMeta m;
  try {
    m.vocab_size = j.at("vocab_size").get<int64_t>();
    const std::string dtype = j.at("dtype").get<std::string>();
    OSC_CHECK_INPUT(dtype == "uint16" || dtype == "uint32", where, "dtype must be uint16 or uint32, got " + dtype);
    m.bytes_per_token = dtype == "uint16" ? 2 : 4;
    m.tokenizer = j.value("tokenizer", "");
    m.eot_token = j.value("eot_token", int64_t{-1});
    m.bos_token = j.value("bos_token", int64_t{-1});
    m.train_tokens = j.value("train_tokens", int64_t{0});
    m.val_tokens = j.value("val_tokens", int64_t{0});
    m.aligned_sequence = j.value("aligned_sequence", int64_t{0});
    if (j.contains("task")) m.extra = j.at("task");
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(where, std::string("bad meta.json: ") + e.what());
  }
  OSC_CHECK_INPUT(m.vocab_size > 0 && m.vocab_size <= (int64_t{1} << 31) - 1, where, "vocab_size out of range");
  OSC_CHECK_INPUT(m.bytes_per_token == 4 || m.vocab_size <= 65536, where, "vocab_size needs uint32 ids");
  OSC_CHECK_INPUT(m.aligned_sequence >= 0, where, "aligned_sequence must be >= 0");
  return m;
}

int bytes_per_token_for_vocab(int64_t vocab_size) { return vocab_size <= 65536 ? 2 : 4; }

void write_token_file(const std::string& path, const std::vector<int32_t>& ids, int bytes_per_token) {
  const int64_t limit = bytes_per_token == 2 ? 65535 : INT32_MAX;
  std::string bytes(ids.size() * static_cast<size_t>(bytes_per_token), '\0');
  for (size_t i = 0; i < ids.size(); ++i) {
    OSC_CHECK_INPUT(ids[i] >= 0 && ids[i] <= limit, path, "token id " + std::to_string(ids[i]) + " does not fit");
    const uint32_t v = static_cast<uint32_t>(ids[i]);
    for (int b = 0; b < bytes_per_token; ++b) bytes[i * static_cast<size_t>(bytes_per_token) + static_cast<size_t>(b)] = static_cast<char>((v >> (8 * b)) & 0xff);
  }
  write_text_atomically(path, bytes);
}

TokenDataset::TokenDataset(const std::string& dir) : dir_(dir) {
  const std::string meta_path = dir + "/meta.json";
  meta_ = token_meta_from_json(read_json_file(meta_path), meta_path);
  train_ = MappedFile::open(dir + "/train.bin");
  val_ = MappedFile::open(dir + "/val.bin");
  for (const auto& f : {train_, val_})
    OSC_CHECK_INPUT(f->size() % static_cast<uint64_t>(meta_.bytes_per_token) == 0, f->path(),
                    "size is not a multiple of the token width " + std::to_string(meta_.bytes_per_token));
}

int64_t TokenDataset::size(Split s) const {
  return static_cast<int64_t>((s == Split::Train ? train_ : val_)->size() / static_cast<uint64_t>(meta_.bytes_per_token));
}

int32_t TokenDataset::at(Split s, int64_t i) const {
  const uint8_t* p = (s == Split::Train ? train_ : val_)->data() + i * meta_.bytes_per_token;
  if (meta_.bytes_per_token == 2) return static_cast<int32_t>(p[0] | (p[1] << 8));
  uint32_t v;
  std::memcpy(&v, p, 4);
  return static_cast<int32_t>(v);
}

void TokenDataset::require_windows(Split s, int64_t seq) const {
  const int64_t n = size(s);
  const std::string where = dir_ + (s == Split::Train ? "/train.bin" : "/val.bin");
  const int64_t aligned = meta_.aligned_sequence;
  if (aligned > 0) {
    OSC_CHECK_INPUT(seq + 1 <= aligned && n >= aligned, where,
                    "sequences of " + std::to_string(aligned) + " tokens are too short for context " + std::to_string(seq));
  } else {
    OSC_CHECK_INPUT(n >= seq + 1, where, "holds " + std::to_string(n) + " tokens, fewer than context + 1 = " + std::to_string(seq + 1));
  }
}

void TokenDataset::sample(Split s, Rng& rng, int64_t batch, int64_t seq, int32_t* tokens, int32_t* targets) const {
  require_windows(s, seq);
  const int64_t n = size(s);
  const int64_t aligned = meta_.aligned_sequence;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t start = aligned > 0 ? static_cast<int64_t>(rng.below(static_cast<uint64_t>(n / aligned))) * aligned
                                      : static_cast<int64_t>(rng.below(static_cast<uint64_t>(n - seq)));
    for (int64_t t = 0; t < seq; ++t) {
      tokens[b * seq + t] = at(s, start + t);
      targets[b * seq + t] = at(s, start + t + 1);
    }
  }
}

}  // namespace osc::train
