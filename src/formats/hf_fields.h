// Typed access to an HF config.json with errors that name the file and the key: the checked JSON
// fields of core/json_fields.h, looked up under the several names one setting has had.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/model_config.h"

namespace osc {

class HfFields {
 public:
  HfFields(const nlohmann::json& j, std::string where) : fields_(j, std::move(where)) {}

  // The first of `keys` present and not null (several names exist for one field across versions).
  const nlohmann::json* find(std::initializer_list<const char*> keys) const;
  int64_t integer(std::initializer_list<const char*> keys) const;  // required
  std::optional<int64_t> integer_opt(std::initializer_list<const char*> keys) const;
  int64_t integer_or(std::initializer_list<const char*> keys, int64_t fallback) const;
  double number_or(std::initializer_list<const char*> keys, double fallback) const;
  std::optional<double> number_opt(std::initializer_list<const char*> keys) const;
  bool boolean_or(std::initializer_list<const char*> keys, bool fallback) const;
  std::string string_or(std::initializer_list<const char*> keys, const std::string& fallback) const;
  // A token id that may be given as a list (first entry used); -1 if absent.
  int64_t token_id(const char* key) const;
  Activation activation(std::initializer_list<const char*> keys, const std::string& fallback) const;
  const nlohmann::json& json() const { return fields_.json(); }
  const std::string& where() const { return fields_.source(); }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::optional<JsonField> first(std::initializer_list<const char*> keys) const;

  JsonField fields_;
};

}  // namespace osc
