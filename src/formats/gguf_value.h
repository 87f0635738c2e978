// GgufValue: one GGUF metadata value, viewing the mapped file it was read from (valid while the
// GgufFile lives). Numeric arrays stay packed in the file and are converted on access, so a
// 150k-entry vocabulary costs one vector of string_views, not 150k allocations.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/gguf_types.h"

namespace osc {

struct GgufValue {
  GgufValueType type = GgufValueType::U8;
  uint64_t scalar_bits = 0;                 // numeric / BOOL scalars: the little-endian bytes, zero-extended
  std::string_view text;                    // STRING
  GgufValueType element_type = GgufValueType::U8;  // ARRAY: type of the elements
  uint64_t count = 0;                       // ARRAY: number of elements
  const uint8_t* packed = nullptr;          // ARRAY of numbers / BOOL: count * element size bytes
  std::vector<std::string_view> strings;    // ARRAY of STRING
  std::vector<GgufValue> items;             // ARRAY of ARRAY

  bool is_array() const { return type == GgufValueType::ARRAY; }
  // Integer scalars (and BOOL) as int64 / uint64; nullopt if not an integer or out of range.
  std::optional<int64_t> to_i64() const;
  std::optional<uint64_t> to_u64() const;
  // Any numeric scalar as double; nullopt for STRING / ARRAY / BOOL.
  std::optional<double> to_f64() const;
  // Element i of a numeric / BOOL array as a scalar GgufValue (i < count).
  GgufValue element(uint64_t i) const;
  // Printable form; arrays show their type, length and the first `max_items` elements.
  std::string to_display(size_t max_items = 8) const;
};

// Builds a scalar value from raw bits (used by the reader and by tests).
GgufValue gguf_scalar(GgufValueType type, uint64_t bits);

}  // namespace osc
