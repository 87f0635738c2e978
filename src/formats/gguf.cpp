#include "formats/gguf.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"

namespace osc {

const GgufValue* GgufFile::find(const std::string& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &metadata_[it->second].second;
}

const GgufValue& GgufFile::get(const std::string& key) const {
  const GgufValue* v = find(key);
  if (!v) throw_bad_input(path(), "metadata key '" + key + "' is missing");
  return *v;
}

void GgufFile::wrong_type(const std::string& key, std::string_view wanted) const {
  const GgufValue& v = get(key);
  std::string got(gguf_value_type_name(v.type));
  if (v.is_array()) got += " of " + std::string(gguf_value_type_name(v.element_type));
  throw_bad_input(path(), "metadata '" + key + "' is " + got + ", expected " + std::string(wanted));
}

std::string GgufFile::get_string(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufValueType::STRING) wrong_type(key, "STRING");
  return std::string(v.text);
}

std::string GgufFile::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}

int64_t GgufFile::get_i64(const std::string& key) const {
  auto v = get(key).to_i64();
  if (!v) {
    if (get(key).to_u64()) throw_bad_input(path(), "metadata '" + key + "' value does not fit INT64");
    wrong_type(key, "an integer");
  }
  return *v;
}

int64_t GgufFile::get_i64(const std::string& key, int64_t fallback) const {
  return has(key) ? get_i64(key) : fallback;
}

uint64_t GgufFile::get_u64(const std::string& key) const {
  auto v = get(key).to_u64();
  if (!v) {
    if (get(key).to_i64()) throw_bad_input(path(), "metadata '" + key + "' value " + std::to_string(*get(key).to_i64()) +
                                                       " does not fit UINT64");
    wrong_type(key, "an integer");
  }
  return *v;
}

uint32_t GgufFile::get_u32(const std::string& key) const {
  const uint64_t v = get_u64(key);
  OSC_CHECK_INPUT(v <= std::numeric_limits<uint32_t>::max(), path(),
                  "metadata '" + key + "' value " + std::to_string(v) + " does not fit UINT32");
  return static_cast<uint32_t>(v);
}

uint32_t GgufFile::get_u32(const std::string& key, uint32_t fallback) const {
  return has(key) ? get_u32(key) : fallback;
}

double GgufFile::get_f64(const std::string& key) const {
  auto v = get(key).to_f64();
  if (!v) wrong_type(key, "a number");
  return *v;
}

float GgufFile::get_f32(const std::string& key) const { return static_cast<float>(get_f64(key)); }

float GgufFile::get_f32(const std::string& key, float fallback) const {
  return has(key) ? get_f32(key) : fallback;
}

bool GgufFile::get_bool(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufValueType::BOOL) wrong_type(key, "BOOL");
  return v.scalar_bits != 0;
}

bool GgufFile::get_bool(const std::string& key, bool fallback) const {
  return has(key) ? get_bool(key) : fallback;
}

const GgufValue& GgufFile::get_array(const std::string& key, GgufValueType element_type,
                                     std::string_view wanted) const {
  const GgufValue& v = get(key);
  if (!v.is_array() || (element_type == GgufValueType::STRING) != (v.element_type == GgufValueType::STRING) ||
      v.element_type == GgufValueType::ARRAY)
    wrong_type(key, wanted);
  return v;
}

const std::vector<std::string_view>& GgufFile::string_array_view(const std::string& key) const {
  return get_array(key, GgufValueType::STRING, "ARRAY of STRING").strings;
}

std::vector<std::string> GgufFile::get_string_array(const std::string& key) const {
  const auto& views = string_array_view(key);
  return std::vector<std::string>(views.begin(), views.end());
}

std::vector<float> GgufFile::get_f32_array(const std::string& key) const {
  const GgufValue& v = get_array(key, GgufValueType::F32, "a numeric ARRAY");
  std::vector<float> out(static_cast<size_t>(v.count));
  if (v.element_type == GgufValueType::F32) {
    if (!out.empty()) std::memcpy(out.data(), v.packed, out.size() * sizeof(float));
    return out;
  }
  for (uint64_t i = 0; i < v.count; ++i) {
    auto x = v.element(i).to_f64();
    if (!x) wrong_type(key, "a numeric ARRAY");
    out[i] = static_cast<float>(*x);
  }
  return out;
}

std::vector<int32_t> GgufFile::get_i32_array(const std::string& key) const {
  const GgufValue& v = get_array(key, GgufValueType::I32, "an integer ARRAY");
  std::vector<int32_t> out(static_cast<size_t>(v.count));
  if (v.element_type == GgufValueType::I32) {
    if (!out.empty()) std::memcpy(out.data(), v.packed, out.size() * sizeof(int32_t));
    return out;
  }
  for (uint64_t i = 0; i < v.count; ++i) {
    auto x = v.element(i).to_i64();
    if (!x) wrong_type(key, "an integer ARRAY");
    OSC_CHECK_INPUT(*x >= std::numeric_limits<int32_t>::min() && *x <= std::numeric_limits<int32_t>::max(), path(),
                    "metadata '" + key + "' element " + std::to_string(i) + " value " + std::to_string(*x) +
                        " does not fit INT32");
    out[i] = static_cast<int32_t>(*x);
  }
  return out;
}

}  // namespace osc
