// Outputs never harm a file. Every command checks its outputs against its inputs before it
// computes anything:
//   * an output file may not be one of the command's inputs (same device and inode, so symlinks
//     and hard links count; a model folder stands for the files in it), nor an existing
//     non-regular file (a FIFO, a device, a folder);
//   * an output folder must be new, empty, or a previous output of the same command, which it
//     marks with the file ".outlierscope-<command>"; no input may lie inside it;
//   * the marker is also the folder's lock (a POSIX record lock): a second process refuses, naming
//     the holder's pid.
// A Replace folder (scan, synth, prepare, plot, run --npy-dir) is written into a staging folder
// inside it; commit() then replaces the previous contents as a whole, so no stale figure or shard
// survives and a failed run leaves the previous output untouched. An Update folder (train,
// experiment: runs that resume) is written in place.
#pragma once
#include <string>
#include <vector>

namespace osc {

// BadInput naming `option` when writing `path` would harm a file (see above), or its folder is missing.
void check_output_file(const std::string& path, const std::vector<std::string>& inputs, const std::string& option);

class OutputFolder {
 public:
  enum class Mode { Replace, Update };

  OutputFolder(std::string dir, std::string command, const std::vector<std::string>& inputs, Mode mode,
               const std::string& option = "--out");
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  // Where the command writes: the staging folder (Replace) or the folder itself (Update).
  const std::string& path() const { return mode_ == Mode::Replace ? staging_ : dir_; }
  // The folder the user named (for messages).
  const std::string& final_path() const { return dir_; }
  // Update: removes everything but the marker (a fresh run in a previous run's folder).
  void clear();
  // Replace: the staged files replace the folder's previous contents.
  void commit();

 private:
  std::string dir_, command_, staging_;
  Mode mode_;
  int lock_fd_ = -1;                         // the marker, locked while we write
  bool created_ = false, marker_created_ = false, committed_ = false;
  int exceptions_at_start_ = 0;              // an Update folder failed if the destructor runs while unwinding
};

// The marker file name of `command`'s output folders.
std::string output_marker_name(const std::string& command);
// Marks a folder written as part of another output (scan's figures/ folder is what `plot` writes).
void mark_output_folder(const std::string& dir, const std::string& command);

}  // namespace osc
