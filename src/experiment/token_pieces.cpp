#include "experiment/token_pieces.h"

#include <cstdio>
#include <filesystem>
#include <set>

#include "tokenizer/load_tokenizer.h"

namespace osc::experiment {
namespace {

std::string byte_piece(int64_t b) {
  if (b == '\n') return "\\n";
  if (b >= 0x20 && b < 0x7f) return std::string(1, static_cast<char>(b));
  char buf[8];
  std::snprintf(buf, sizeof buf, "<0x%02X>", static_cast<unsigned>(b));
  return buf;
}

std::set<int64_t> triggers_of(const train::TokenDataMeta& meta) {
  std::set<int64_t> t;
  if (meta.extra.is_object() && meta.extra.contains("triggers") && meta.extra["triggers"].is_array())
    for (const auto& v : meta.extra["triggers"])
      if (v.is_number_integer()) t.insert(v.get<int64_t>());
  return t;
}

}  // namespace

std::vector<std::string> token_pieces(const train::TokenDataMeta& meta) {
  std::vector<std::string> pieces;
  const bool from_file = !meta.tokenizer.empty() && std::filesystem::exists(meta.tokenizer);
  const auto tokenizer = from_file ? load_tokenizer(meta.tokenizer) : nullptr;
  const std::set<int64_t> triggers = triggers_of(meta);
  for (int64_t id = 0; id < meta.vocab_size; ++id) {
    if (id == meta.bos_token) pieces.push_back("<s>");
    else if (id == meta.eot_token) pieces.push_back("<eot>");
    else if (tokenizer && id < tokenizer->vocab_size()) pieces.push_back(tokenizer->display_piece(static_cast<int32_t>(id)));
    else if (meta.tokenizer == "byte" && id < 256) pieces.push_back(byte_piece(id));
    else pieces.push_back((triggers.count(id) ? "trig" : "t") + std::to_string(id));
  }
  return pieces;
}

}  // namespace osc::experiment
