#include "tokenizer/utf8.h"

namespace osc {

namespace {

bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

size_t utf8_valid_length(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
  const size_t left = text.size() - pos;
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 < 0xC2 || b0 > 0xF4) return 0;  // continuation byte, overlong 2-byte lead, or > U+10FFFF
  const size_t length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  if (left < length) return 0;
  for (size_t i = 1; i < length; ++i)
    if (!is_continuation(byte(i))) return 0;
  const uint8_t b1 = byte(1);
  if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
  if (b0 == 0xED && b1 > 0x9F) return 0;  // UTF-16 surrogates
  if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
  if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
  return length;
}

uint32_t utf8_decode(std::string_view text, size_t pos, size_t length) {
  const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(text[pos + i])); };
  switch (length) {
    case 1: return byte(0);
    case 2: return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3: return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    default:
      return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
  }
}

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool utf8_is_valid(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = utf8_valid_length(text, pos);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

// Bytes that form a truncated but so far valid prefix of a multi-byte sequence at text[pos]
// (the "maximal subpart" that WHATWG's TextDecoder replaces by a single U+FFFD); at least 1.
size_t utf8_invalid_prefix_length(std::string_view text, size_t pos) {
  const uint8_t b0 = static_cast<uint8_t>(text[pos]);
  if (b0 < 0xC2 || b0 > 0xF4) return 1;
  const size_t length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  size_t taken = 1;
  while (taken < length && pos + taken < text.size()) {
    const uint8_t b = static_cast<uint8_t>(text[pos + taken]);
    uint8_t low = 0x80, high = 0xBF;
    if (taken == 1) {  // the second byte's range depends on the lead (no overlongs, surrogates, > U+10FFFF)
      if (b0 == 0xE0) low = 0xA0;
      if (b0 == 0xED) high = 0x9F;
      if (b0 == 0xF0) low = 0x90;
      if (b0 == 0xF4) high = 0x8F;
    }
    if (b < low || b > high) break;
    ++taken;
  }
  return taken;
}

std::string utf8_repair(std::string_view text) {
  if (utf8_is_valid(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = utf8_valid_length(text, pos);
    if (length == 0) {
      utf8_append(out, 0xFFFD);
      pos += utf8_invalid_prefix_length(text, pos);
    } else {
      out.append(text, pos, length);
      pos += length;
    }
  }
  return out;
}

}  // namespace osc
