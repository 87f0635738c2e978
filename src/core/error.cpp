#include "core/error.h"

namespace osc {

void throw_bad_input(const std::string& where, const std::string& what) {
  throw Error(ErrorKind::BadInput, where.empty() ? what : where + ": " + what);
}

void throw_file_error(const std::string& path, const std::string& what) {
  throw FileError(path.empty() ? what : path + ": " + what);
}

void throw_internal(const std::string& where, const std::string& what) {
  throw Error(ErrorKind::Internal, where.empty() ? what : where + ": " + what);
}

}  // namespace osc
