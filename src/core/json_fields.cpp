#include "core/json_fields.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/text_file.h"

namespace osc {

nlohmann::json parse_json(std::string_view text, const std::string& source, std::string_view what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw_bad_input(source, std::string(what) + ": " + e.what());
  }
}

nlohmann::json read_json_file(const std::string& path) { return parse_json(read_text_file(path), path); }

const nlohmann::json* find_json_path(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  const nlohmann::json* cur = &j;
  for (const char* k : keys) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return cur;
}

void JsonField::fail(const std::string& what) const {
  throw_bad_input(source_, (path_.empty() ? std::string("top level") : path_) + ": " + what);
}

void JsonField::fail_type(const std::string& expected) const {
  constexpr size_t kShown = 60;  // a wrong value may be a whole array: the start says enough
  std::string shown = value_.dump();
  if (shown.size() > kShown) shown = shown.substr(0, kShown) + "...";
  fail("expected " + expected + ", got " + shown);
}

bool JsonField::has(const char* key) const {
  return value_.is_object() && value_.contains(key) && !value_.at(key).is_null();
}

std::optional<JsonField> JsonField::find(const char* key) const {
  if (!has(key)) return std::nullopt;
  return child(value_.at(key), path_.empty() ? key : path_ + "." + key);
}

JsonField JsonField::at(const char* key) const {
  if (!value_.is_object()) fail_type("an object");
  const std::string path = path_.empty() ? key : path_ + "." + key;
  if (!value_.contains(key)) child(value_, path).fail("missing");
  return child(value_.at(key), path);
}

JsonField JsonField::at(size_t index) const {
  if (!value_.is_array()) fail_type("an array");
  const std::string path = path_ + "[" + std::to_string(index) + "]";
  if (index >= value_.size()) child(value_, path).fail("missing (array too short)");
  return child(value_.at(index), path);
}

size_t JsonField::size() const {
  if (!value_.is_array()) fail_type("an array");
  return value_.size();
}

std::string JsonField::text() const {
  if (!value_.is_string()) fail_type("a string");
  return value_.get<std::string>();
}

double JsonField::number() const {
  if (non_finite_ == NonFinite::NullOrInf) {
    if (value_.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (value_.is_string() && value_.get<std::string>() == "inf") return std::numeric_limits<double>::infinity();
  }
  if (!value_.is_number()) fail_type("a number");
  return value_.get<double>();
}

int64_t JsonField::integer() const {
  if (value_.is_number_integer()) return value_.get<int64_t>();
  if (value_.is_number_float()) {
    const double d = value_.get<double>();
    if (d >= -9.2e18 && d <= 9.2e18 && d == std::floor(d)) return static_cast<int64_t>(d);
  }
  fail_type("an integer");
}

bool JsonField::boolean() const {
  if (!value_.is_boolean()) fail_type("true or false");
  return value_.get<bool>();
}

namespace {

void check_length(const JsonField& f, size_t expected) {
  if (expected != JsonField::kAnySize && f.size() != expected)
    f.fail("expected " + std::to_string(expected) + " elements, got " + std::to_string(f.size()));
}

template <typename T, typename Get>
std::vector<T> elements(const JsonField& f, size_t expected, Get get) {
  check_length(f, expected);
  std::vector<T> out;
  out.reserve(f.size());
  for (size_t i = 0; i < f.size(); ++i) out.push_back(get(f.at(i)));
  return out;
}

}  // namespace

std::vector<double> JsonField::numbers(size_t expected) const {
  return elements<double>(*this, expected, [](const JsonField& e) { return e.number(); });
}

std::vector<int64_t> JsonField::integers(size_t expected) const {
  return elements<int64_t>(*this, expected, [](const JsonField& e) { return e.integer(); });
}

std::vector<std::string> JsonField::texts(size_t expected) const {
  return elements<std::string>(*this, expected, [](const JsonField& e) { return e.text(); });
}

std::vector<std::vector<double>> JsonField::matrix(size_t rows, size_t cols) const {
  check_length(*this, rows);
  std::vector<std::vector<double>> out;
  out.reserve(size());
  for (size_t r = 0; r < size(); ++r) {
    const size_t want = cols != kAnySize ? cols : (r > 0 ? out[0].size() : kAnySize);
    out.push_back(at(r).numbers(want));
  }
  return out;
}

std::optional<std::string> JsonField::optional_text(const char* key) const {
  const auto f = find(key);
  return f ? std::optional<std::string>(f->text()) : std::nullopt;
}

bool JsonField::boolean_or(const char* key, bool fallback) const {
  const auto f = find(key);
  return f ? f->boolean() : fallback;
}

}  // namespace osc
