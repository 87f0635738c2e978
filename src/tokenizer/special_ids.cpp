#include "tokenizer/special_ids.h"

#include <filesystem>

#include "core/error.h"
#include "core/json_fields.h"

namespace osc {
namespace {

// A special-token field of tokenizer_config.json: "<s>" or {"content": "<s>", ...}; absent or null: none.
std::optional<std::string> token_text(const JsonField& config, const char* key) {
  const auto field = config.find(key);
  if (!field) return std::nullopt;
  if (field->json().is_object()) return field->optional_text("content");
  if (!field->json().is_string()) field->fail_type("a string or a token object");
  return field->text();
}

}  // namespace

int32_t id_of_token_text(const Vocab& vocab, const std::optional<std::string>& text, const std::string& where,
                         const char* role) {
  if (!text) return -1;
  const int32_t id = vocab.find(*text);
  OSC_CHECK_INPUT(id >= 0, where, std::string(role) + " \"" + *text + "\" is not in the vocabulary");
  return id;
}

void apply_tokenizer_config(const std::string& directory, const Vocab& vocab, TokenizerInfo& info) {
  const std::string path = (std::filesystem::path(directory) / "tokenizer_config.json").string();
  if (!std::filesystem::is_regular_file(path)) return;
  const nlohmann::json json = read_json_file(path);
  if (!json.is_object()) throw_bad_input(path, "the top level is not a JSON object");
  const JsonField config(json, path);
  auto override_id = [&](const char* key, int32_t& id) {
    if (auto text = token_text(config, key)) id = id_of_token_text(vocab, text, path, key);
  };
  override_id("bos_token", info.bos_id);
  override_id("eos_token", info.eos_id);
  override_id("unk_token", info.unk_id);
  info.add_bos = config.boolean_or("add_bos_token", info.add_bos);
}

std::string parent_directory(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace osc
