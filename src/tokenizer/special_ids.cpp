#include "tokenizer/special_ids.h"

#include <filesystem>

#include "core/error.h"
#include "tokenizer/json_util.h"

namespace osc {

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
  const nlohmann::json config = read_json_file(path);
  if (!config.is_object()) throw_bad_input(path, "the top level is not a JSON object");
  auto override_id = [&](const char* key, int32_t& id) {
    if (auto text = json_token_text(config, key, path)) id = id_of_token_text(vocab, text, path, key);
  };
  override_id("bos_token", info.bos_id);
  override_id("eos_token", info.eos_id);
  override_id("unk_token", info.unk_id);
  info.add_bos = json_bool(config, "add_bos_token", info.add_bos, path);
}

std::string parent_directory(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace osc
