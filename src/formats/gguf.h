// GGUF reader (versions 1, 2 and 3): metadata with typed getters, and tensors as mapped views.
// Shapes are given in PyTorch order: GGUF lists ne0 (the contiguous dimension) first, so dims are
// reversed (a GGUF [n_embd, n_vocab] token_embd is the view [n_vocab, n_embd]).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/mapped_file.h"
#include "formats/gguf_value.h"
#include "formats/named_tensors.h"

namespace osc {

struct GgufTensorInfo {
  std::string name;
  uint32_t ggml_type = 0;
  Shape shape;          // PyTorch order (outermost first)
  uint64_t offset = 0;  // relative to the data section
};

class GgufFile {
 public:
  // Maps and validates the file; throws BadInput "<path>: <problem>" for anything malformed.
  static GgufFile open(const std::string& path);

  const std::string& path() const { return file_->path(); }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }

  // Metadata in file order.
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }
  bool has(const std::string& key) const { return index_.count(key) != 0; }
  const GgufValue* find(const std::string& key) const;
  const GgufValue& get(const std::string& key) const;  // BadInput if missing

  // Typed getters. Integers convert between widths and signedness when the value fits; the float
  // getters also accept integers. Each throws BadInput naming the key on a missing key, a wrong
  // type or a value out of range; the overloads with a fallback return it when the key is absent.
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  uint32_t get_u32(const std::string& key) const;
  uint32_t get_u32(const std::string& key, uint32_t fallback) const;
  int64_t get_i64(const std::string& key) const;
  int64_t get_i64(const std::string& key, int64_t fallback) const;
  uint64_t get_u64(const std::string& key) const;
  float get_f32(const std::string& key) const;
  float get_f32(const std::string& key, float fallback) const;
  double get_f64(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  bool get_bool(const std::string& key, bool fallback) const;

  // Arrays. The string-array view is free (views into the mapping); the copies convert.
  const std::vector<std::string_view>& string_array_view(const std::string& key) const;
  std::vector<std::string> get_string_array(const std::string& key) const;
  std::vector<float> get_f32_array(const std::string& key) const;    // any numeric element type
  std::vector<int32_t> get_i32_array(const std::string& key) const;  // integer elements that fit

  const std::vector<GgufTensorInfo>& tensor_infos() const { return tensor_infos_; }
  const NamedTensors& tensors() const { return tensors_; }
  const std::shared_ptr<MappedFile>& mapping() const { return file_; }

 private:
  friend class GgufParser;
  const GgufValue& get_array(const std::string& key, GgufValueType element_type, std::string_view wanted) const;
  [[noreturn]] void wrong_type(const std::string& key, std::string_view wanted) const;

  std::shared_ptr<MappedFile> file_;
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<GgufTensorInfo> tensor_infos_;
  NamedTensors tensors_;
};

}  // namespace osc
