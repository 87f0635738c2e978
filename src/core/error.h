// One error type for the whole project: what went wrong, where (file, tensor, field), and which
// exit status the command-line program should use for it.
#pragma once
#include <stdexcept>
#include <string>

namespace osc {

enum class ErrorKind {
  BadInput,  // the user's file, text or option is wrong: exit status 2
  Internal,  // a bug or an environment failure (out of memory, disk full): exit status 1
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  int exit_status() const { return kind_ == ErrorKind::BadInput ? 2 : 1; }

 private:
  ErrorKind kind_;
};

// Bad input that is a file the program cannot open, read or map (exit status 2 like BadInput; the
// Python module raises OSError for it).
class FileError : public Error {
 public:
  explicit FileError(const std::string& message) : Error(ErrorKind::BadInput, message) {}
};

// "<where>: <what>", e.g. bad_input("model.safetensors", "header length 9e18 exceeds file size 1024").
[[noreturn]] void throw_bad_input(const std::string& where, const std::string& what);
[[noreturn]] void throw_file_error(const std::string& path, const std::string& what);
[[noreturn]] void throw_internal(const std::string& where, const std::string& what);

// Checks a condition on untrusted input; the message is only built when the check fails.
#define OSC_CHECK_INPUT(cond, where, what)          \
  do {                                              \
    if (!(cond)) ::osc::throw_bad_input((where), (what)); \
  } while (0)

}  // namespace osc
