// GPT-2's reversible byte <-> Unicode mapping used by every byte-level BPE vocabulary: printable
// Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in order (space -> 'Ġ', '\n' -> 'Ċ').
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace osc {

// UTF-8 of the code point standing for `byte`.
const std::string& byte_to_unicode(uint8_t byte);
// Appends the mapped form of every byte of `raw`.
void append_byte_encoded(std::string& out, std::string_view raw);
// The byte a code point stands for, or nullopt if it is not part of the mapping.
std::optional<uint8_t> unicode_to_byte(uint32_t code_point);
// Reverses append_byte_encoded; code points outside the mapping are copied as UTF-8 unchanged.
std::string byte_decode(std::string_view encoded);

}  // namespace osc
