#include "core/install_paths.h"

#include <filesystem>

// The data folder relative to the program's folder, from the install layout (CMakeLists.txt).
#ifndef OUTLIERSCOPE_DATA_FROM_BIN
#define OUTLIERSCOPE_DATA_FROM_BIN "../share/outlierscope"
#endif

namespace osc {

std::string installed_data_path(const std::string& relative) {
  std::error_code ec;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const std::filesystem::path candidate = program.parent_path() / OUTLIERSCOPE_DATA_FROM_BIN / relative;
  if (!std::filesystem::exists(candidate, ec)) return "";
  return candidate.lexically_normal().string();
}

}  // namespace osc
