// Temporary files and folders that an interrupted run must not leave behind. Writers register
// what they create ("<path>.tmp.<pid>" files, staging folders); on SIGINT, SIGTERM or SIGHUP the
// handler removes every registered path and the process then dies of the signal as it would have.
#pragma once
#include <string>

namespace osc {

// Installs the handler (main does this once; tests may call it again, it is idempotent).
void install_interrupt_cleanup();

// "<path>.tmp.<pid>": the one name of a temporary file written next to its destination.
std::string temporary_path_for(const std::string& path);

// A registered path is removed by the handler: a file is unlinked, a folder removed with its
// contents. Registration is bounded (kMaxTemporaries live paths); beyond that a path is simply not
// cleaned on interruption, which is no worse than before.
void register_temporary(const std::string& path);
void unregister_temporary(const std::string& path);

// Registers `path` for its lifetime.
class ScopedTemporary {
 public:
  explicit ScopedTemporary(std::string path) : path_(std::move(path)) { register_temporary(path_); }
  ~ScopedTemporary() { unregister_temporary(path_); }
  ScopedTemporary(const ScopedTemporary&) = delete;
  ScopedTemporary& operator=(const ScopedTemporary&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace osc
