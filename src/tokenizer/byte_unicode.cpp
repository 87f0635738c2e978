#include "tokenizer/byte_unicode.h"

#include <array>

#include "tokenizer/utf8.h"

namespace osc {
namespace {

bool maps_to_itself(int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

struct ByteTables {
  std::array<std::string, 256> encoded;
  std::array<int16_t, 0x200> byte_of_code_point;  // every mapped code point is below U+0144

  ByteTables() {
    byte_of_code_point.fill(-1);
    uint32_t next_extra = 0x100;
    for (int b = 0; b < 256; ++b) {
      const uint32_t cp = maps_to_itself(b) ? static_cast<uint32_t>(b) : next_extra++;
      utf8_append(encoded[b], cp);
      byte_of_code_point[cp] = static_cast<int16_t>(b);
    }
  }
};

const ByteTables& tables() {
  static const ByteTables t;
  return t;
}

}  // namespace

const std::string& byte_to_unicode(uint8_t byte) { return tables().encoded[byte]; }

void append_byte_encoded(std::string& out, std::string_view raw) {
  const auto& t = tables();
  for (char c : raw) out += t.encoded[static_cast<uint8_t>(c)];
}

std::optional<uint8_t> unicode_to_byte(uint32_t cp) {
  if (cp >= tables().byte_of_code_point.size()) return std::nullopt;
  const int16_t b = tables().byte_of_code_point[cp];
  if (b < 0) return std::nullopt;
  return static_cast<uint8_t>(b);
}

std::string byte_decode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t pos = 0; pos < encoded.size();) {
    size_t length = utf8_valid_length(encoded, pos);
    if (length == 0) {  // not UTF-8: keep the byte as it is
      out += encoded[pos++];
      continue;
    }
    const auto byte = unicode_to_byte(utf8_decode(encoded, pos, length));
    if (byte) out += static_cast<char>(*byte);
    else out.append(encoded, pos, length);
    pos += length;
  }
  return out;
}

}  // namespace osc
