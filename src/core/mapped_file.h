// Read-only memory mapping of a whole file. Checkpoints are mapped, never read into memory, so a
// 7B model costs page cache, not heap.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace osc {

class MappedFile {
 public:
  // Throws a BadInput error naming the path if the file cannot be opened or mapped.
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, uint64_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_;
  uint64_t size_;
};

}  // namespace osc
