#include "tokenizer/json_util.h"

#include "core/atomic_write.h"
#include "core/error.h"

namespace osc {

nlohmann::json read_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(path, std::string("not valid JSON: ") + e.what());
  }
}

std::optional<std::string> json_string(const nlohmann::json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  OSC_CHECK_INPUT(it->is_string(), where, std::string("\"") + key + "\" is not a string");
  return it->get<std::string>();
}

bool json_bool(const nlohmann::json& object, const char* key, bool fallback, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  OSC_CHECK_INPUT(it->is_boolean(), where, std::string("\"") + key + "\" is not true or false");
  return it->get<bool>();
}

std::optional<std::string> json_token_text(const nlohmann::json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_object()) return json_string(*it, "content", where + " (" + key + ")");
  OSC_CHECK_INPUT(it->is_string(), where, std::string("\"") + key + "\" is neither a string nor a token object");
  return it->get<std::string>();
}

}  // namespace osc
