// Checked access to untrusted JSON (config.json, tokenizer.json, report.json, ...): one helper set
// for every reader. Each error names the document and the field's path
// ("report.json: activations.landscapes.resid_post.abs_values[3]: expected 64 elements, got 12"),
// so a malformed or hand-edited file fails with one clear line instead of a crash.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace osc {

// Parses JSON text; BadInput "<source>: <what>: <parser's message>" on any nlohmann error
// (syntax, number overflow, invalid UTF-8).
nlohmann::json parse_json(std::string_view text, const std::string& source, std::string_view what = "not valid JSON");
// A whole JSON file (core/text_file.h, then parse_json).
nlohmann::json read_json_file(const std::string& path);

// The value at j[k1][k2]...; nullptr if a key is missing or a level is not an object.
const nlohmann::json* find_json_path(const nlohmann::json& j, std::initializer_list<const char*> keys);

// How a document writes non-finite numbers. Our own JSON writers give NaN as null and infinity as
// "inf" (report.json); files from elsewhere hold plain numbers only.
enum class NonFinite { Refused, NullOrInf };

class JsonField {
 public:
  static constexpr size_t kAnySize = static_cast<size_t>(-1);

  // `source` names the document in errors (a file path, or "report.json"); `path` is the field's.
  JsonField(const nlohmann::json& value, std::string source, std::string path = "",
            NonFinite non_finite = NonFinite::Refused)
      : value_(value), source_(std::move(source)), path_(std::move(path)), non_finite_(non_finite) {}

  const nlohmann::json& json() const { return value_; }
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }

  bool has(const char* key) const;                     // an object's member, present and not null
  std::optional<JsonField> find(const char* key) const;  // the same, as a field
  JsonField at(const char* key) const;                 // required member of an object
  JsonField at(size_t index) const;                    // required element of an array
  size_t size() const;                                 // array length (error if not an array)

  std::string text() const;
  double number() const;   // NonFinite::NullOrInf: null -> NaN, "inf" -> infinity
  int64_t integer() const;  // also an integral float inside int64's range (4.0: some exporters write that)
  bool boolean() const;
  std::vector<double> numbers(size_t expected = kAnySize) const;
  std::vector<int64_t> integers(size_t expected = kAnySize) const;
  std::vector<std::string> texts(size_t expected = kAnySize) const;
  // A row-major [rows][cols] matrix; every row must have the same length.
  std::vector<std::vector<double>> matrix(size_t rows = kAnySize, size_t cols = kAnySize) const;

  // Optional members: absent or null gives nullopt / the fallback; a wrong type is an error.
  std::optional<std::string> optional_text(const char* key) const;
  bool boolean_or(const char* key, bool fallback) const;

  // BadInput "<source>: <path>: <what>".
  [[noreturn]] void fail(const std::string& what) const;
  // BadInput "<source>: <path>: expected <expected>, got <the value, abbreviated>".
  [[noreturn]] void fail_type(const std::string& expected) const;

 private:
  JsonField child(const nlohmann::json& value, std::string path) const {
    return JsonField(value, source_, std::move(path), non_finite_);
  }

  const nlohmann::json& value_;
  std::string source_, path_;
  NonFinite non_finite_;
};

}  // namespace osc
