#include "formats/gguf_value.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>

namespace osc {
namespace {

template <typename T>
T bits_as(uint64_t bits) {
  T v;
  std::memcpy(&v, &bits, sizeof(T));
  return v;
}

bool is_signed_integer(GgufValueType t) {
  return t == GgufValueType::I8 || t == GgufValueType::I16 || t == GgufValueType::I32 || t == GgufValueType::I64;
}
bool is_unsigned_integer(GgufValueType t) {
  return t == GgufValueType::U8 || t == GgufValueType::U16 || t == GgufValueType::U32 ||
         t == GgufValueType::U64 || t == GgufValueType::BOOL;
}

int64_t signed_value(GgufValueType t, uint64_t bits) {
  switch (t) {
    case GgufValueType::I8: return bits_as<int8_t>(bits);
    case GgufValueType::I16: return bits_as<int16_t>(bits);
    case GgufValueType::I32: return bits_as<int32_t>(bits);
    default: return bits_as<int64_t>(bits);
  }
}

std::string quoted(std::string_view s, size_t max_chars = 120) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < max_chars; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max_chars) out += "...";
  return out + "\"";
}

}  // namespace

GgufValue gguf_scalar(GgufValueType type, uint64_t bits) {
  GgufValue v;
  v.type = type;
  v.scalar_bits = bits;
  return v;
}

std::optional<int64_t> GgufValue::to_i64() const {
  if (is_signed_integer(type)) return signed_value(type, scalar_bits);
  if (is_unsigned_integer(type)) {
    if (scalar_bits > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(scalar_bits);
  }
  return std::nullopt;
}

std::optional<uint64_t> GgufValue::to_u64() const {
  if (is_unsigned_integer(type)) return scalar_bits;
  if (is_signed_integer(type)) {
    int64_t v = signed_value(type, scalar_bits);
    if (v < 0) return std::nullopt;
    return static_cast<uint64_t>(v);
  }
  return std::nullopt;
}

// A FLOAT32 value as the double its shortest decimal form denotes (1e-5f -> 1e-5, not
// 9.99999975e-06), so that GGUF and HF configs of one model give equal doubles.
static double f32_as_decimal_double(float f) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof buf, f);
  return std::strtod(std::string(buf, result.ptr).c_str(), nullptr);
}

std::optional<double> GgufValue::to_f64() const {
  if (type == GgufValueType::F32) return f32_as_decimal_double(bits_as<float>(scalar_bits));
  if (type == GgufValueType::F64) return bits_as<double>(scalar_bits);
  if (type == GgufValueType::BOOL) return std::nullopt;
  if (is_signed_integer(type)) return static_cast<double>(signed_value(type, scalar_bits));
  if (is_unsigned_integer(type)) return static_cast<double>(scalar_bits);
  return std::nullopt;
}

GgufValue GgufValue::element(uint64_t i) const {
  const uint64_t size = gguf_value_type_size(element_type);
  uint64_t bits = 0;
  std::memcpy(&bits, packed + i * size, size);
  return gguf_scalar(element_type, bits);
}

std::string GgufValue::to_display(size_t max_items) const {
  switch (type) {
    case GgufValueType::STRING: return quoted(text);
    case GgufValueType::BOOL: return scalar_bits ? "true" : "false";
    case GgufValueType::F32:
    case GgufValueType::F64: {
      std::ostringstream s;
      s.precision(type == GgufValueType::F32 ? 9 : 17);
      s << *to_f64();
      return s.str();
    }
    case GgufValueType::ARRAY: break;
    default:
      return is_signed_integer(type) ? std::to_string(*to_i64()) : std::to_string(scalar_bits);
  }
  std::string out = "array<" + std::string(gguf_value_type_name(element_type)) + ", " + std::to_string(count) + ">[";
  const uint64_t shown = std::min<uint64_t>(count, max_items);
  for (uint64_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    if (element_type == GgufValueType::STRING) out += quoted(strings[i], 40);
    else if (element_type == GgufValueType::ARRAY) out += items[i].to_display(max_items);
    else out += element(i).to_display();
  }
  if (count > shown) out += ", ...";
  return out + "]";
}

}  // namespace osc
