#include "model/capture_export.h"

#include <filesystem>
#include <ostream>

#include "core/atomic_write.h"
#include "core/error.h"
#include "formats/safetensors.h"

namespace osc {
namespace {

TensorView ids_view(const std::vector<int32_t>& tokens) {
  TensorView v;
  v.dtype = DType::I32;
  v.shape = {static_cast<int64_t>(tokens.size())};
  v.data = tokens.data();
  v.nbytes = tokens.size() * sizeof(int32_t);
  return v;
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

void write_captures_safetensors(const std::string& path, const HookSet& hooks, const std::vector<int32_t>& tokens,
                                const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, TensorView>> tensors;
  tensors.emplace_back("input_ids", ids_view(tokens));
  for (const std::string& name : hooks.captured_order()) tensors.emplace_back(name, hooks.get(name).view());
  write_safetensors(path, tensors, metadata);
}

void write_npy(const std::string& path, const std::string& dtype_descr, const Shape& shape, const void* data,
               size_t nbytes) {
  const std::string header = npy_header(dtype_descr, shape);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(nbytes));
  });
}

void write_captures_npy(const std::string& dir, const HookSet& hooks, const std::vector<int32_t>& tokens) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_bad_input(dir, "cannot create the folder: " + ec.message());
  write_npy(dir + "/input_ids.npy", "<i4", {static_cast<int64_t>(tokens.size())}, tokens.data(),
            tokens.size() * sizeof(int32_t));
  for (const std::string& name : hooks.captured_order()) {
    const Tensor& t = hooks.get(name);
    write_npy(dir + "/" + name + ".npy", "<f4", t.shape, t.ptr(), static_cast<size_t>(t.numel()) * sizeof(float));
  }
}

}  // namespace osc
