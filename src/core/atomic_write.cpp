#include "core/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "core/temp_files.h"

namespace osc {

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const ScopedTemporary registered(temporary_path_for(path));  // removed if the run is interrupted
  const std::string& tmp = registered.path();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw_internal(path, "cannot create temporary file " + tmp);
    try {
      write(out);
    } catch (...) {
      out.close();
      std::remove(tmp.c_str());
      throw;
    }
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw_internal(path, "write failed (disk full?)");
    }
  }
  // fsync so that the rename never exposes a file whose data is not yet on disk.
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw_internal(path, "cannot rename temporary file into place");
  }
}

void write_text_atomically(const std::string& path, std::string_view text) {
  write_file_atomically(path, [&](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

}  // namespace osc
