// Reading the JSON files of HF tokenizers with errors that name the file and the field.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace osc {

// Throws BadInput "<path>: not valid JSON: ..." for unreadable or malformed files.
nlohmann::json read_json_file(const std::string& path);

// A field that may be absent or null; BadInput naming `where` and `key` if it has the wrong type.
std::optional<std::string> json_string(const nlohmann::json& object, const char* key, const std::string& where);
bool json_bool(const nlohmann::json& object, const char* key, bool fallback, const std::string& where);

// A special-token field of tokenizer_config.json: "<s>" or {"content": "<s>", ...}.
std::optional<std::string> json_token_text(const nlohmann::json& object, const char* key, const std::string& where);

}  // namespace osc
