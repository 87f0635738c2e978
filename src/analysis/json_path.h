// Optional nested fields of a report.json object.
#pragma once
#include <initializer_list>

#include <nlohmann/json.hpp>

namespace osc::analysis {

// The value at report[k1][k2]...; nullptr if any key is missing or a level is not an object.
inline const nlohmann::json* at_path(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  const nlohmann::json* cur = &j;
  for (const char* k : keys) {
    if (!cur->is_object() || !cur->contains(k)) return nullptr;
    cur = &(*cur)[k];
  }
  return cur;
}

}  // namespace osc::analysis
