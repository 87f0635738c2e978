// Readable labels for token bytes in figures and terminal output.
#pragma once
#include <string>
#include <string_view>

namespace osc {

// Valid UTF-8 stays as it is, except control characters ("\n", "\t", "\r", other "\xNN") and the
// backslash ("\\"); bytes that are not valid UTF-8 (a token holding part of a character) become
// "\xNN".
std::string escape_for_display(std::string_view bytes);

}  // namespace osc
