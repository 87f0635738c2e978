// ByteReader: bounds-checked little-endian reads from untrusted bytes (a mapped file). Every read
// past the end throws BadInput "<path>: <what> at offset N runs past the end of the file (size M)".
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/error.h"

namespace osc {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, uint64_t size, std::string path)
      : data_(data), size_(size), path_(std::move(path)) {}

  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - offset_; }
  const std::string& path() const { return path_; }
  const uint8_t* data() const { return data_; }

  // Checks that `n` more bytes exist, naming `what` if not.
  void require(uint64_t n, const std::string& what) const {
    if (n > remaining())
      throw_bad_input(path_, what + " at offset " + std::to_string(offset_) + " runs past the end of the file (size " +
                                 std::to_string(size_) + ")");
  }

  template <typename T>
  T read(const std::string& what) {
    require(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + offset_, sizeof(T));
    offset_ += sizeof(T);
    return v;
  }

  // A view of the next `n` bytes, then skips them.
  std::string_view bytes(uint64_t n, const std::string& what) {
    require(n, what);
    std::string_view v(reinterpret_cast<const char*>(data_ + offset_), static_cast<size_t>(n));
    offset_ += n;
    return v;
  }

  void skip(uint64_t n, const std::string& what) {
    require(n, what);
    offset_ += n;
  }

  void seek(uint64_t offset, const std::string& what) {
    if (offset > size_)
      throw_bad_input(path_, what + " offset " + std::to_string(offset) + " is past the end of the file (size " +
                                 std::to_string(size_) + ")");
    offset_ = offset;
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  std::string path_;
  uint64_t offset_ = 0;
};

}  // namespace osc
