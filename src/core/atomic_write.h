// Atomic file writes: data goes to "<path>.tmp.<pid>", is flushed, then renamed over <path>, so an
// interrupted run leaves either the old file or the new one, never half of one (and, through
// core/temp_files.h, no temporary file either).
#pragma once
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace osc {

// Calls write(stream) on a temporary file next to `path`, then renames it into place. Throws an
// Internal error naming `path` on any I/O failure (the temporary file is removed).
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);
void write_text_atomically(const std::string& path, std::string_view text);

}  // namespace osc
