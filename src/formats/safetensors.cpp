#include "formats/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "core/json_fields.h"

namespace osc {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // the reference implementation's limit (100 MB)

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

// The dtype names safetensors defines that map onto DType (quantized DTypes are not safetensors names).
std::optional<DType> safetensors_dtype(const std::string& name) {
  auto t = dtype_from_name(name);
  if (!t || dtype_is_quantized(*t)) return std::nullopt;
  return t;
}

json parse_header(const MappedFile& file, uint64_t* data_start) {
  const std::string& path = file.path();
  OSC_CHECK_INPUT(file.size() >= 8, path, "file of " + std::to_string(file.size()) + " bytes is too small for a safetensors header");
  uint64_t header_len;
  std::memcpy(&header_len, file.data(), 8);
  OSC_CHECK_INPUT(header_len <= file.size() - 8, path,
                  "header length " + std::to_string(header_len) + " exceeds file size " + std::to_string(file.size()));
  OSC_CHECK_INPUT(header_len <= kMaxHeaderBytes, path, "header length " + std::to_string(header_len) + " exceeds 100 MB");
  OSC_CHECK_INPUT(header_len >= 2 && file.data()[8] == '{', path, "header does not start with a JSON object");
  *data_start = 8 + header_len;
  const char* text = reinterpret_cast<const char*>(file.data() + 8);
  return parse_json(std::string_view(text, header_len), path, "header is not valid JSON");
}

Shape parse_shape(const json& j, const std::string& path, const std::string& name) {
  OSC_CHECK_INPUT(j.is_array(), path, "tensor '" + name + "': shape is not an array");
  Shape shape;
  for (const auto& d : j) {
    OSC_CHECK_INPUT(d.is_number_unsigned() || (d.is_number_integer() && d.get<int64_t>() >= 0), path,
                    "tensor '" + name + "': shape " + j.dump() + " has an entry that is not a non-negative integer");
    OSC_CHECK_INPUT(d.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), path,
                    "tensor '" + name + "': dimension " + d.dump() + " out of range");
    shape.push_back(d.get<int64_t>());
  }
  return shape;
}

Entry parse_entry(const std::string& name, const json& j, const std::string& path) {
  OSC_CHECK_INPUT(!name.empty(), path, "a tensor has an empty name");
  OSC_CHECK_INPUT(j.is_object(), path, "tensor '" + name + "': entry is not an object");
  for (const char* field : {"dtype", "shape", "data_offsets"})
    OSC_CHECK_INPUT(j.contains(field), path, "tensor '" + name + "': missing \"" + field + "\"");
  OSC_CHECK_INPUT(j["dtype"].is_string(), path, "tensor '" + name + "': dtype is not a string");
  const std::string dtype_text = j["dtype"].get<std::string>();
  auto dtype = safetensors_dtype(dtype_text);
  OSC_CHECK_INPUT(dtype.has_value(), path, "tensor '" + name + "': unsupported dtype \"" + dtype_text + "\"");
  Entry e{name, *dtype, parse_shape(j["shape"], path, name), 0, 0};
  const json& off = j["data_offsets"];
  OSC_CHECK_INPUT(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(), path,
                  "tensor '" + name + "': data_offsets must be two non-negative integers");
  e.begin = off[0].get<uint64_t>();
  e.end = off[1].get<uint64_t>();
  OSC_CHECK_INPUT(e.begin <= e.end, path, "tensor '" + name + "': data_offsets " + off.dump() + " are reversed");
  uint64_t elements = 1;
  for (int64_t d : e.shape)
    OSC_CHECK_INPUT(!__builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements), path,
                    "tensor '" + name + "': shape " + j["shape"].dump() + " has too many elements");
  auto bytes = dtype_storage_bytes(e.dtype, elements);
  OSC_CHECK_INPUT(bytes && *bytes == e.end - e.begin, path,
                  "tensor '" + name + "': shape " + j["shape"].dump() + " x " + dtype_text + " needs " +
                      (bytes ? std::to_string(*bytes) : std::string("too many")) + " bytes but data_offsets " +
                      off.dump() + " give " + std::to_string(e.end - e.begin));
  return e;
}

std::map<std::string, std::string> parse_metadata(const json& j, const std::string& path) {
  OSC_CHECK_INPUT(j.is_object(), path, "__metadata__ is not an object");
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : j.items()) {
    OSC_CHECK_INPUT(v.is_string(), path, "__metadata__ value of '" + k + "' is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

// The data section must be covered exactly: tensors sorted by offset, each starting where the
// previous one ended, the last ending at the end of the file (the format's own rule).
void check_layout(std::vector<Entry>& entries, uint64_t data_size, const std::string& path) {
  std::vector<const Entry*> sorted;
  for (const auto& e : entries) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t expected = 0;
  const Entry* previous = nullptr;
  for (const Entry* e : sorted) {
    if (e->begin < expected)
      throw_bad_input(path, "tensors '" + previous->name + "' and '" + e->name + "' overlap");
    OSC_CHECK_INPUT(e->begin == expected, path,
                    "tensor '" + e->name + "' starts at data offset " + std::to_string(e->begin) + ", leaving a gap after " +
                        std::to_string(expected));
    OSC_CHECK_INPUT(e->end <= data_size, path,
                    "tensor '" + e->name + "' data_offsets end " + std::to_string(e->end) + " lies past the data section of " +
                        std::to_string(data_size) + " bytes");
    expected = e->end;
    previous = e;
  }
  OSC_CHECK_INPUT(expected == data_size, path,
                  "data section has " + std::to_string(data_size - expected) + " bytes after the last tensor");
}

}  // namespace

SafetensorsContents read_safetensors(const std::string& path) {
  auto file = MappedFile::open(path);
  uint64_t data_start = 0;
  const json header = parse_header(*file, &data_start);
  OSC_CHECK_INPUT(header.is_object(), path, "header is not a JSON object");
  SafetensorsContents out;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") out.metadata = parse_metadata(value, path);
    else entries.push_back(parse_entry(name, value, path));
  }
  check_layout(entries, file->size() - data_start, path);
  // nlohmann sorts object keys; file order is the order of the data.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (auto& e : entries) {
    TensorView v;
    v.dtype = e.dtype;
    v.shape = e.shape;
    v.data = file->data() + data_start + e.begin;
    v.nbytes = e.end - e.begin;
    v.owner = file;
    out.tensors.add(path, e.name, std::move(v));
  }
  return out;
}

SafetensorsContents read_safetensors_index(const std::string& index_path) {
  const json index = read_json_file(index_path);
  OSC_CHECK_INPUT(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(), index_path,
                  "missing \"weight_map\" object");
  const std::filesystem::path dir = std::filesystem::path(index_path).parent_path();
  std::map<std::string, std::string> shard_of;  // tensor -> shard file name
  std::vector<std::string> shards;
  for (const auto& [tensor, shard] : index["weight_map"].items()) {
    OSC_CHECK_INPUT(shard.is_string(), index_path, "weight_map entry '" + tensor + "' is not a file name");
    const std::string file = shard.get<std::string>();
    OSC_CHECK_INPUT(!file.empty() && file.find('/') == std::string::npos && file != "..", index_path,
                    "weight_map entry '" + tensor + "' names '" + file + "', not a file in the same folder");
    shard_of[tensor] = file;
    if (std::find(shards.begin(), shards.end(), file) == shards.end()) shards.push_back(file);
  }
  std::sort(shards.begin(), shards.end());
  SafetensorsContents out;
  for (const auto& shard : shards) {
    const std::string shard_path = (dir / shard).string();
    SafetensorsContents part = read_safetensors(shard_path);
    for (const auto& [name, view] : part.tensors) {
      auto it = shard_of.find(name);
      OSC_CHECK_INPUT(it != shard_of.end() && it->second == shard, index_path,
                      "tensor '" + name + "' is in " + shard + " but the index " +
                          (it == shard_of.end() ? std::string("does not list it") : "places it in " + it->second));
      out.tensors.add(index_path, name, view);
    }
    out.metadata.insert(part.metadata.begin(), part.metadata.end());
  }
  for (const auto& [name, shard] : shard_of)
    OSC_CHECK_INPUT(out.tensors.contains(name), index_path, "tensor '" + name + "' is missing from " + shard);
  return out;
}

}  // namespace osc
