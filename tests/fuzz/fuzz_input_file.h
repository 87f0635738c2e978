// The readers take file paths (they memory-map), so each fuzz input is written to one scratch
// file per process first.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace osc::fuzz {

// Writes the input to this process's scratch file (suffix chooses the extension) and returns its path.
std::string write_input(const uint8_t* data, size_t size, const std::string& suffix);

}  // namespace osc::fuzz
