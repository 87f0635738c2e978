#include "tokenizer/hf_json_parts.h"

#include <cctype>

#include "core/error.h"
#include "core/json_fields.h"
#include "tokenizer/merge_ranks.h"

namespace osc {
namespace {

using nlohmann::json;

// Ids are nearly dense; one far beyond the number of entries would size the table by an
// unchecked count, so it is refused.
constexpr int64_t kIdSlack = 65536;

int32_t checked_id(const json& value, size_t entries, const std::string& where, const std::string& what) {
  OSC_CHECK_INPUT(value.is_number_integer(), where, what + " has an id that is not an integer");
  const int64_t id = value.get<int64_t>();
  const int64_t limit = static_cast<int64_t>(entries) + kIdSlack;
  OSC_CHECK_INPUT(id >= 0 && id < limit, where,
                  what + " has id " + std::to_string(id) + ", outside [0, " + std::to_string(limit) + ")");
  return static_cast<int32_t>(id);
}

size_t added_count(const json& root) {
  auto added = root.find("added_tokens");
  return added != root.end() && added->is_array() ? added->size() : 0;
}

void place_token(std::vector<Token>& tokens, int32_t id, Token token) {
  if (tokens.size() <= static_cast<size_t>(id)) tokens.resize(static_cast<size_t>(id) + 1, Token{"", 0.0f, TokenType::Unused});
  tokens[static_cast<size_t>(id)] = std::move(token);
}

bool is_byte_token_text(const std::string& text) {
  return text.size() == 6 && text.starts_with("<0x") && text.back() == '>' && std::isxdigit(static_cast<unsigned char>(text[3])) &&
         std::isxdigit(static_cast<unsigned char>(text[4]));
}

void read_vocab(const json& model, bool byte_fallback, size_t entries, std::vector<Token>& tokens,
                const std::string& where) {
  auto vocab = model.find("vocab");
  OSC_CHECK_INPUT(vocab != model.end() && vocab->is_object(), where, "model.vocab is missing or not an object");
  OSC_CHECK_INPUT(!vocab->empty(), where, "the vocabulary (model.vocab) is empty");
  for (const auto& [text, id_value] : vocab->items()) {
    const int32_t id = checked_id(id_value, entries, where, "vocab entry \"" + text + "\"");
    const TokenType type = byte_fallback && is_byte_token_text(text) ? TokenType::Byte : TokenType::Normal;
    place_token(tokens, id, Token{text, 0.0f, type});
  }
}

void read_added_tokens(const json& root, size_t entries, std::vector<Token>& tokens, const std::string& where) {
  auto added = root.find("added_tokens");
  if (added == root.end() || added->is_null()) return;
  OSC_CHECK_INPUT(added->is_array(), where, "added_tokens is not an array");
  for (const json& entry : *added) {
    OSC_CHECK_INPUT(entry.is_object() && entry.contains("id"), where, "an added_tokens entry has no id");
    const JsonField fields(entry, where);
    const auto content = fields.optional_text("content");
    OSC_CHECK_INPUT(content && !content->empty(), where, "an added_tokens entry has no content");
    const int32_t id = checked_id(entry["id"], entries, where, "added token \"" + *content + "\"");
    Token t{*content, 0.0f, fields.boolean_or("special", false) ? TokenType::Control : TokenType::UserDefined};
    t.lstrip = fields.boolean_or("lstrip", false);
    t.rstrip = fields.boolean_or("rstrip", false);
    place_token(tokens, id, std::move(t));
  }
}

std::vector<std::pair<std::string, std::string>> read_merges(const json& model, const std::string& where) {
  std::vector<std::pair<std::string, std::string>> merges;
  auto list = model.find("merges");
  if (list == model.end() || list->is_null()) return merges;
  OSC_CHECK_INPUT(list->is_array(), where, "model.merges is not an array");
  merges.reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    const json& m = (*list)[i];
    if (m.is_string()) {
      merges.push_back(split_merge_line(m.get<std::string>(), where, i));
    } else {
      OSC_CHECK_INPUT(m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string(), where,
                      "merge " + std::to_string(i) + " is neither \"a b\" nor [\"a\", \"b\"]");
      merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    }
  }
  return merges;
}

void read_bpe_settings(const json& model, HfModelParts& parts, const std::string& where) {
  const JsonField fields(model, where);
  for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"})
    OSC_CHECK_INPUT(fields.optional_text(affix).value_or("").empty(), where,
                    std::string("model.") + affix + " is not supported");
  parts.byte_fallback = fields.boolean_or("byte_fallback", false);
  parts.ignore_merges = fields.boolean_or("ignore_merges", false);
}

void read_wordpiece_settings(const json& model, HfModelParts& parts, const std::string& where) {
  parts.continuing_prefix = JsonField(model, where).optional_text("continuing_subword_prefix").value_or("##");
  auto max_chars = model.find("max_input_chars_per_word");
  if (max_chars == model.end() || max_chars->is_null()) return;
  OSC_CHECK_INPUT(max_chars->is_number_unsigned(), where, "model.max_input_chars_per_word is not a non-negative integer");
  parts.max_input_chars_per_word = max_chars->get<size_t>();
}

}  // namespace

HfModelParts read_hf_model(const json& root, const std::string& where) {
  OSC_CHECK_INPUT(root.is_object(), where, "the top level is not a JSON object");
  auto model = root.find("model");
  OSC_CHECK_INPUT(model != root.end() && model->is_object(), where, "no \"model\" object");
  HfModelParts parts;
  parts.type = JsonField(*model, where).optional_text("type").value_or(model->contains("merges") ? "BPE" : "");
  if (parts.type == "BPE") read_bpe_settings(*model, parts, where);
  else if (parts.type == "WordPiece") read_wordpiece_settings(*model, parts, where);
  else throw_bad_input(where, "model type \"" + parts.type + "\" is not supported (only BPE and WordPiece)");
  parts.unk_token = JsonField(*model, where).optional_text("unk_token");
  const auto vocab = model->find("vocab");
  const size_t entries = (vocab != model->end() && vocab->is_object() ? vocab->size() : 0) + added_count(root);
  read_vocab(*model, parts.byte_fallback, entries, parts.tokens, where);
  read_added_tokens(root, entries, parts.tokens, where);
  if (parts.type == "BPE") parts.merges = read_merges(*model, where);
  return parts;
}

}  // namespace osc
