// Reading a whole (small) file: configs, token lists, logs, text to tokenize.
#pragma once
#include <string>

namespace osc {

// The file's bytes; BadInput error naming the path if it is a folder or cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace osc
