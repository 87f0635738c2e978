// UTF-8 helpers shared by the tokenizers: sequence lengths, code point decoding/encoding and
// repair of invalid input (the references replace it with U+FFFD rather than fail).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace osc {

// Length of the valid UTF-8 sequence at text[pos], or 0 if the bytes there are not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_valid_length(std::string_view text, size_t pos);

// Decodes the valid sequence at text[pos] (check utf8_valid_length first).
uint32_t utf8_decode(std::string_view text, size_t pos, size_t length);
void utf8_append(std::string& out, uint32_t code_point);

bool utf8_is_valid(std::string_view text);
// Length (>= 1) of the invalid bytes at text[pos] that one U+FFFD replaces: a stray byte, or the
// truncated prefix of a multi-byte sequence (WHATWG "maximal subpart").
size_t utf8_invalid_prefix_length(std::string_view text, size_t pos);
// Copy of `text` with each invalid part replaced by U+FFFD, as JavaScript's TextDecoder and
// Python's errors="replace" do; the byte-level tokenizers see only valid UTF-8.
std::string utf8_repair(std::string_view text);

}  // namespace osc
