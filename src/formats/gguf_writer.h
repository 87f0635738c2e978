// GgufWriter: builds a GGUF version 3 file (metadata + tensors, data aligned to general.alignment,
// default 32) and writes it atomically. Tensor shapes are given in PyTorch order and stored
// reversed (ne0 innermost), the inverse of GgufFile.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "formats/gguf_value.h"

namespace osc {

class GgufWriter {
 public:
  // Setting a key again replaces its value and keeps its position.
  void set_u8(const std::string& key, uint8_t v);
  void set_i8(const std::string& key, int8_t v);
  void set_u16(const std::string& key, uint16_t v);
  void set_i16(const std::string& key, int16_t v);
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_i64(const std::string& key, int64_t v);
  void set_f32(const std::string& key, float v);
  void set_f64(const std::string& key, double v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, const std::string& v);
  void set_string_array(const std::string& key, const std::vector<std::string>& v);
  void set_f32_array(const std::string& key, const std::vector<float>& v);
  void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
  // Copies a value read from another GGUF file (any type, nested arrays included).
  void set_value(const std::string& key, const GgufValue& v);

  // The view's memory must stay valid until write(). Any dtype GGUF stores (F32, F16, BF16, the
  // quantized types, integers); BadInput for others or for a duplicate name.
  void add_tensor(const std::string& name, const TensorView& view);

  void write(const std::string& path) const;

 private:
  void set_encoded(const std::string& key, GgufValueType type, std::string encoded);
  uint32_t alignment() const;

  struct Entry {
    std::string key;
    GgufValueType type;
    std::string encoded;  // the value's bytes as stored after the type field
  };
  std::vector<Entry> metadata_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::pair<std::string, TensorView>> tensors_;
};

}  // namespace osc
