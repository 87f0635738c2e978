#include "formats/gguf_writer.h"

#include <cstring>

#include "core/atomic_write.h"
#include "core/error.h"
#include "formats/gguf_types.h"

namespace osc {
namespace {

template <typename T>
void append(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void append_string(std::string& out, std::string_view s) {
  append<uint64_t>(out, s.size());
  out.append(s.data(), s.size());
}

// A value's bytes (without its leading type field), for values read from a file.
void append_value(std::string& out, const GgufValue& v) {
  if (v.type == GgufValueType::STRING) return append_string(out, v.text);
  if (v.type != GgufValueType::ARRAY) {
    out.append(reinterpret_cast<const char*>(&v.scalar_bits), gguf_value_type_size(v.type));
    return;
  }
  append<uint32_t>(out, static_cast<uint32_t>(v.element_type));
  append<uint64_t>(out, v.count);
  if (v.element_type == GgufValueType::STRING) {
    for (auto s : v.strings) append_string(out, s);
  } else if (v.element_type == GgufValueType::ARRAY) {
    for (const auto& item : v.items) append_value(out, item);
  } else if (v.count > 0) {
    out.append(reinterpret_cast<const char*>(v.packed), v.count * gguf_value_type_size(v.element_type));
  }
}

template <typename T>
std::string encode(T v) {
  std::string out;
  append(out, v);
  return out;
}

template <typename T>
std::string encode_array(GgufValueType element_type, const std::vector<T>& values) {
  std::string out;
  append<uint32_t>(out, static_cast<uint32_t>(element_type));
  append<uint64_t>(out, values.size());
  for (const T& v : values) append(out, v);
  return out;
}

void pad_to(std::ostream& out, uint64_t& written, uint32_t alignment) {
  static const char zeros[256] = {};
  uint64_t padding = (alignment - written % alignment) % alignment;
  while (padding > 0) {
    const uint64_t n = std::min<uint64_t>(padding, sizeof zeros);
    out.write(zeros, static_cast<std::streamsize>(n));
    padding -= n;
    written += n;
  }
}

}  // namespace

void GgufWriter::set_encoded(const std::string& key, GgufValueType type, std::string encoded) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    metadata_[it->second].type = type;
    metadata_[it->second].encoded = std::move(encoded);
    return;
  }
  index_.emplace(key, metadata_.size());
  metadata_.push_back({key, type, std::move(encoded)});
}

void GgufWriter::set_u8(const std::string& k, uint8_t v) { set_encoded(k, GgufValueType::U8, encode(v)); }
void GgufWriter::set_i8(const std::string& k, int8_t v) { set_encoded(k, GgufValueType::I8, encode(v)); }
void GgufWriter::set_u16(const std::string& k, uint16_t v) { set_encoded(k, GgufValueType::U16, encode(v)); }
void GgufWriter::set_i16(const std::string& k, int16_t v) { set_encoded(k, GgufValueType::I16, encode(v)); }
void GgufWriter::set_u32(const std::string& k, uint32_t v) { set_encoded(k, GgufValueType::U32, encode(v)); }
void GgufWriter::set_i32(const std::string& k, int32_t v) { set_encoded(k, GgufValueType::I32, encode(v)); }
void GgufWriter::set_u64(const std::string& k, uint64_t v) { set_encoded(k, GgufValueType::U64, encode(v)); }
void GgufWriter::set_i64(const std::string& k, int64_t v) { set_encoded(k, GgufValueType::I64, encode(v)); }
void GgufWriter::set_f32(const std::string& k, float v) { set_encoded(k, GgufValueType::F32, encode(v)); }
void GgufWriter::set_f64(const std::string& k, double v) { set_encoded(k, GgufValueType::F64, encode(v)); }
void GgufWriter::set_bool(const std::string& k, bool v) {
  set_encoded(k, GgufValueType::BOOL, encode<uint8_t>(v ? 1 : 0));
}

void GgufWriter::set_string(const std::string& k, const std::string& v) {
  std::string out;
  append_string(out, v);
  set_encoded(k, GgufValueType::STRING, std::move(out));
}

void GgufWriter::set_string_array(const std::string& k, const std::vector<std::string>& v) {
  std::string out;
  append<uint32_t>(out, static_cast<uint32_t>(GgufValueType::STRING));
  append<uint64_t>(out, v.size());
  for (const auto& s : v) append_string(out, s);
  set_encoded(k, GgufValueType::ARRAY, std::move(out));
}

void GgufWriter::set_f32_array(const std::string& k, const std::vector<float>& v) {
  set_encoded(k, GgufValueType::ARRAY, encode_array(GgufValueType::F32, v));
}

void GgufWriter::set_i32_array(const std::string& k, const std::vector<int32_t>& v) {
  set_encoded(k, GgufValueType::ARRAY, encode_array(GgufValueType::I32, v));
}

void GgufWriter::set_value(const std::string& k, const GgufValue& v) {
  std::string out;
  append_value(out, v);
  set_encoded(k, v.type, std::move(out));
}

void GgufWriter::add_tensor(const std::string& name, const TensorView& view) {
  OSC_CHECK_INPUT(ggml_type_from_dtype(view.dtype).has_value(), "GGUF writer",
                  "tensor '" + name + "': GGUF cannot store " + std::string(dtype_name(view.dtype)));
  OSC_CHECK_INPUT(view.rank() >= 1 && view.rank() <= 4, "GGUF writer",
                  "tensor '" + name + "' has " + std::to_string(view.rank()) + " dimensions (GGUF takes 1 to 4)");
  auto bytes = dtype_storage_bytes(view.dtype, static_cast<uint64_t>(view.numel()));
  OSC_CHECK_INPUT(bytes && *bytes == view.nbytes, "GGUF writer", "tensor '" + name + "': byte size does not match its shape");
  for (const auto& t : tensors_)
    OSC_CHECK_INPUT(t.first != name, "GGUF writer", "duplicate tensor name '" + name + "'");
  tensors_.emplace_back(name, view);
}

uint32_t GgufWriter::alignment() const {
  auto it = index_.find("general.alignment");
  if (it == index_.end()) return 32;
  const Entry& e = metadata_[it->second];
  uint32_t a = 0;
  if (e.type == GgufValueType::U32) std::memcpy(&a, e.encoded.data(), 4);
  OSC_CHECK_INPUT(a != 0 && (a & (a - 1)) == 0, "GGUF writer", "general.alignment must be a UINT32 power of two");
  return a;
}

void GgufWriter::write(const std::string& path) const {
  const uint32_t align = alignment();
  std::string head;
  append<uint32_t>(head, 0x46554747);  // "GGUF"
  append<uint32_t>(head, 3);
  append<uint64_t>(head, tensors_.size());
  append<uint64_t>(head, metadata_.size());
  for (const auto& e : metadata_) {
    append_string(head, e.key);
    append<uint32_t>(head, static_cast<uint32_t>(e.type));
    head += e.encoded;
  }
  uint64_t offset = 0;
  for (const auto& [name, view] : tensors_) {
    append_string(head, name);
    append<uint32_t>(head, static_cast<uint32_t>(view.rank()));
    for (auto d = view.shape.rbegin(); d != view.shape.rend(); ++d) append<uint64_t>(head, static_cast<uint64_t>(*d));
    append<uint32_t>(head, *ggml_type_from_dtype(view.dtype));
    append<uint64_t>(head, offset);
    offset += view.nbytes + (align - view.nbytes % align) % align;
  }
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    uint64_t written = head.size();
    if (tensors_.empty()) return;
    pad_to(out, written, align);
    for (const auto& [name, view] : tensors_) {
      out.write(static_cast<const char*>(view.data), static_cast<std::streamsize>(view.nbytes));
      written += view.nbytes;
      pad_to(out, written, align);
    }
  });
}

}  // namespace osc
