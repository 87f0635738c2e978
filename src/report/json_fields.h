// Checked access to an untrusted JSON document: every accessor names the field's path in its error
// ("report.json: activations.landscapes.resid_post.abs_values[3]: expected 64 numbers, got 12"),
// so a malformed or hand-edited report fails with one clear line instead of a crash.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace osc::report {

class Fields {
 public:
  // `source` names the document in errors (a file path, or "report.json").
  Fields(const nlohmann::json& value, std::string source, std::string path = "")
      : value_(value), source_(std::move(source)), path_(std::move(path)) {}

  const nlohmann::json& json() const { return value_; }
  const std::string& path() const { return path_; }
  bool has(const char* key) const;                 // present and not null
  Fields at(const char* key) const;                // required member of an object
  Fields at(size_t index) const;                   // required element of an array
  size_t size() const;                             // array length (error if not an array)

  std::string text() const;
  double number() const;                           // null -> NaN, "inf" -> infinity
  int64_t integer() const;
  std::vector<double> numbers(size_t expected = kAnySize) const;
  std::vector<int64_t> integers(size_t expected = kAnySize) const;
  std::vector<std::string> texts(size_t expected = kAnySize) const;
  // A row-major [rows][cols] matrix; every row must have the same length.
  std::vector<std::vector<double>> matrix(size_t rows = kAnySize, size_t cols = kAnySize) const;

  [[noreturn]] void fail(const std::string& what) const;

  static constexpr size_t kAnySize = static_cast<size_t>(-1);

 private:
  const nlohmann::json& value_;
  std::string source_, path_;
};

}  // namespace osc::report
