#include "core/text_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace osc {

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  OSC_CHECK_INPUT(!std::filesystem::is_directory(path, ec), path, "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_file_error(path, "cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace osc
