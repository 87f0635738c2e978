#include "report/json_fields.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace osc::report {

void Fields::fail(const std::string& what) const {
  throw_bad_input(source_, (path_.empty() ? std::string("top level") : path_) + ": " + what);
}

bool Fields::has(const char* key) const {
  return value_.is_object() && value_.contains(key) && !value_.at(key).is_null();
}

Fields Fields::at(const char* key) const {
  if (!value_.is_object()) fail("expected an object");
  const std::string child = path_.empty() ? key : path_ + "." + key;
  if (!value_.contains(key)) Fields(value_, source_, child).fail("missing");
  return Fields(value_.at(key), source_, child);
}

Fields Fields::at(size_t index) const {
  if (!value_.is_array()) fail("expected an array");
  const std::string child = path_ + "[" + std::to_string(index) + "]";
  if (index >= value_.size()) Fields(value_, source_, child).fail("missing (array too short)");
  return Fields(value_.at(index), source_, child);
}

size_t Fields::size() const {
  if (!value_.is_array()) fail("expected an array");
  return value_.size();
}

std::string Fields::text() const {
  if (!value_.is_string()) fail("expected a string");
  return value_.get<std::string>();
}

double Fields::number() const {
  if (value_.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (value_.is_string() && value_.get<std::string>() == "inf") return std::numeric_limits<double>::infinity();
  if (!value_.is_number()) fail("expected a number");
  return value_.get<double>();
}

int64_t Fields::integer() const {
  if (!value_.is_number_integer()) fail("expected an integer");
  return value_.get<int64_t>();
}

namespace {

void check_length(const Fields& f, size_t expected) {
  if (expected != Fields::kAnySize && f.size() != expected)
    f.fail("expected " + std::to_string(expected) + " elements, got " + std::to_string(f.size()));
}

}  // namespace

std::vector<double> Fields::numbers(size_t expected) const {
  check_length(*this, expected);
  std::vector<double> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back(at(i).number());
  return out;
}

std::vector<int64_t> Fields::integers(size_t expected) const {
  check_length(*this, expected);
  std::vector<int64_t> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back(at(i).integer());
  return out;
}

std::vector<std::string> Fields::texts(size_t expected) const {
  check_length(*this, expected);
  std::vector<std::string> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back(at(i).text());
  return out;
}

std::vector<std::vector<double>> Fields::matrix(size_t rows, size_t cols) const {
  check_length(*this, rows);
  std::vector<std::vector<double>> out;
  out.reserve(size());
  for (size_t r = 0; r < size(); ++r) {
    const size_t want = cols != kAnySize ? cols : (r > 0 ? out[0].size() : kAnySize);
    out.push_back(at(r).numbers(want));
  }
  return out;
}

}  // namespace osc::report
