#include "formats/npy.h"

#include <ostream>

#include "core/atomic_write.h"
#include "core/error.h"

namespace osc {
namespace {

std::string npy_descr(DType dtype) {
  if (dtype == DType::F32) return "<f4";
  if (dtype == DType::I32) return "<i4";
  throw_internal("write_npy", "no .npy type for " + std::string(dtype_name(dtype)));
}

// The .npy header: magic, version 1.0, a little-endian u16 length, then a Python dict literal
// padded with spaces so that the data starts at a multiple of 64 bytes.
std::string npy_header(const std::string& descr, const Shape& shape) {
  std::string dims;
  for (int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header = "\x93NUMPY";
  header += '\x01';
  header += '\x00';
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>((dict.size() >> 8) & 0xff);
  return header + dict;
}

}  // namespace

void write_npy(const std::string& path, const TensorView& tensor) {
  const std::string header = npy_header(npy_descr(tensor.dtype), tensor.shape);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(tensor.data), static_cast<std::streamsize>(tensor.nbytes));
  });
}

}  // namespace osc
