#include "core/output_guard.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/temp_files.h"

namespace osc {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMarkerPrefix = ".outlierscope-";
constexpr const char* kStagingPrefix = ".outlierscope-staging.";

struct FileIdentity {
  dev_t device;
  ino_t inode;
  std::string path;  // the input as the user named it
};

// The files the inputs name; a folder (an HF model) stands for itself and the files directly in it.
std::vector<FileIdentity> input_identities(const std::vector<std::string>& inputs) {
  std::vector<FileIdentity> ids;
  for (const std::string& input : inputs) {
    struct stat st = {};
    if (input.empty() || ::stat(input.c_str(), &st) != 0) continue;  // missing inputs fail later, with their own message
    ids.push_back({st.st_dev, st.st_ino, input});
    if (!S_ISDIR(st.st_mode)) continue;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(input, ec)) {
      struct stat est = {};
      if (::stat(entry.path().c_str(), &est) == 0) ids.push_back({est.st_dev, est.st_ino, entry.path().string()});
    }
  }
  return ids;
}

bool is_inside(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin(), i = inner.begin();
  for (; o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

fs::path canonical_or_as_given(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::path(path) : p;
}

// A whole-file write lock on the marker. POSIX record locks (not flock) because F_GETLK names the
// holder's pid, so the marker itself never changes while it is in use. They belong to the process
// and would be released if it closed any descriptor of the marker, so only the lock holds one.
struct flock whole_file_lock() {
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  return lock;
}

std::string holder_of(int fd, const std::string& command) {
  struct flock lock = whole_file_lock();
  const bool known = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  return "outlierscope " + command + (known ? " (pid " + std::to_string(lock.l_pid) + ")" : "");
}

// The folder's entries other than `keep` (names).
std::vector<std::string> entries_except(const std::string& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    bool kept = false;
    for (const auto& k : keep) kept = kept || name == k;
    if (!kept) names.push_back(name);
  }
  return names;
}

// The command whose marker the folder holds ("" if none).
std::string marker_owner(const std::string& dir) {
  for (const std::string& name : entries_except(dir, {}))
    if (name.rfind(kMarkerPrefix, 0) == 0 && name.rfind(kStagingPrefix, 0) != 0) return name.substr(kMarkerPrefix.size());
  return "";
}

}  // namespace

std::string output_marker_name(const std::string& command) { return std::string(kMarkerPrefix) + command; }

void check_output_file(const std::string& path, const std::vector<std::string>& inputs, const std::string& option) {
  const std::string where = option + " " + path;
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  OSC_CHECK_INPUT(parent.empty() || fs::is_directory(parent, ec), where,
                  "the folder " + parent.string() + " does not exist");
  struct stat st = {};
  if (::stat(path.c_str(), &st) != 0) return;  // a new file
  OSC_CHECK_INPUT(S_ISREG(st.st_mode), where,
                  "exists and is not a regular file (a folder, FIFO or device); name a new or regular file");
  for (const FileIdentity& input : input_identities(inputs))
    OSC_CHECK_INPUT(input.device != st.st_dev || input.inode != st.st_ino, where,
                    "is " + input.path + ", an input of this command; name another output file");
}

void mark_output_folder(const std::string& dir, const std::string& command) {
  write_text_atomically((fs::path(dir) / output_marker_name(command)).string(), "outlierscope " + command + "\n");
}

namespace {

void refuse_inputs_inside(const std::string& dir, const std::vector<std::string>& inputs, const std::string& where) {
  const fs::path canonical_dir = canonical_or_as_given(dir);
  for (const std::string& input : inputs) {
    if (input.empty() || !fs::exists(input)) continue;
    OSC_CHECK_INPUT(!is_inside(canonical_or_as_given(input), canonical_dir), where,
                    "holds " + input + ", an input of this command, and a rerun replaces the folder's contents; "
                    "choose another output folder");
  }
}

// An existing folder is reused only if it is empty or marked by the same command.
void refuse_foreign_contents(const std::string& dir, const std::string& command, const std::string& where) {
  if (fs::exists(fs::path(dir) / output_marker_name(command)) || entries_except(dir, {}).empty()) return;
  const std::string owner = marker_owner(dir);
  throw_bad_input(where, "is not empty and is not an output of `outlierscope " + command + "`" +
                             (owner.empty() ? "" : " (it holds the output of `outlierscope " + owner + "`)") +
                             "; choose a new or empty folder");
}

// Opens (creating) and locks the marker; BadInput naming the holder if another process has it.
int lock_marker(const std::string& marker_path, const std::string& command, const std::string& where) {
  const int fd = ::open(marker_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw_bad_input(where, std::string("cannot create the marker file: ") + std::strerror(errno));
  struct flock lock = whole_file_lock();
  if (::fcntl(fd, F_SETLK, &lock) != 0) {
    const std::string holder = holder_of(fd, command);
    ::close(fd);
    throw_bad_input(where, "is being written by " + holder + "; wait for it to finish or choose another folder");
  }
  return fd;
}

}  // namespace

OutputFolder::OutputFolder(std::string dir, std::string command, const std::vector<std::string>& inputs, Mode mode,
                           const std::string& option)
    : dir_(std::move(dir)), command_(std::move(command)), mode_(mode) {
  const std::string where = option + " " + dir_;
  OSC_CHECK_INPUT(!dir_.empty(), option, "an output folder is required");
  struct stat st = {};
  const bool exists = ::stat(dir_.c_str(), &st) == 0;
  OSC_CHECK_INPUT(!exists || S_ISDIR(st.st_mode), where, "exists and is not a folder");
  refuse_inputs_inside(dir_, inputs, where);
  if (exists) refuse_foreign_contents(dir_, command_, where);
  std::error_code ec;
  created_ = !exists && fs::create_directories(dir_, ec);
  if (ec) throw_bad_input(where, "cannot create the folder: " + ec.message());
  const std::string marker_path = (fs::path(dir_) / output_marker_name(command_)).string();
  marker_created_ = !fs::exists(marker_path);
  lock_fd_ = lock_marker(marker_path, command_, where);
  const std::string content = "outlierscope " + command_ + "\n";
  if (marker_created_ && ::pwrite(lock_fd_, content.data(), content.size(), 0) < 0)
    throw_internal(marker_path, "cannot write the marker file");
  for (const std::string& name : entries_except(dir_, {}))  // staging folders of killed runs
    if (name.rfind(kStagingPrefix, 0) == 0) fs::remove_all(fs::path(dir_) / name);
  if (mode_ == Mode::Replace) {
    staging_ = (fs::path(dir_) / (kStagingPrefix + std::to_string(::getpid()))).string();
    fs::create_directory(staging_);
    register_temporary(staging_);
    if (created_) register_temporary(dir_);  // an interrupted first run leaves no folder behind
  }
  exceptions_at_start_ = std::uncaught_exceptions();
}

void OutputFolder::clear() {
  for (const std::string& name : entries_except(dir_, {output_marker_name(command_)})) fs::remove_all(fs::path(dir_) / name);
}

void OutputFolder::commit() {
  unregister_temporary(dir_);
  const std::string staging_name = fs::path(staging_).filename().string();
  for (const std::string& name : entries_except(dir_, {output_marker_name(command_), staging_name}))
    fs::remove_all(fs::path(dir_) / name);
  for (const std::string& name : entries_except(staging_, {})) fs::rename(fs::path(staging_) / name, fs::path(dir_) / name);
  unregister_temporary(staging_);
  fs::remove(staging_);
  committed_ = true;
}

OutputFolder::~OutputFolder() {
  std::error_code ignored;
  if (mode_ == Mode::Replace && !committed_) {
    fs::remove_all(staging_, ignored);
    unregister_temporary(staging_);
    unregister_temporary(dir_);
  }
  // A run that failed leaves no trace in a folder that held nothing of it before.
  const bool failed = mode_ == Mode::Replace ? !committed_ : std::uncaught_exceptions() > exceptions_at_start_;
  const std::string marker = output_marker_name(command_);
  if (failed && marker_created_ && entries_except(dir_, {marker}).empty()) {
    fs::remove(fs::path(dir_) / marker, ignored);
    if (created_) fs::remove(dir_, ignored);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace osc
