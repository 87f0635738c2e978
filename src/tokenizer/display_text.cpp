#include "tokenizer/display_text.h"

#include <cstdio>

#include "tokenizer/utf8.h"

namespace osc {
namespace {

void append_hex_escape(std::string& out, uint8_t byte) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\x%02X", byte);
  out += buf;
}

void append_ascii(std::string& out, char c) {
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\t': out += "\\t"; return;
    case '\r': out += "\\r"; return;
    case '\\': out += "\\\\"; return;
    default: break;
  }
  const auto byte = static_cast<uint8_t>(c);
  if (byte < 0x20 || byte == 0x7F) append_hex_escape(out, byte);
  else out += c;
}

}  // namespace

std::string escape_for_display(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 4);
  for (size_t pos = 0; pos < bytes.size();) {
    const size_t length = utf8_valid_length(bytes, pos);
    if (length == 0) {
      append_hex_escape(out, static_cast<uint8_t>(bytes[pos++]));
    } else if (length == 1) {
      append_ascii(out, bytes[pos++]);
    } else {
      out.append(bytes, pos, length);
      pos += length;
    }
  }
  return out;
}

}  // namespace osc
