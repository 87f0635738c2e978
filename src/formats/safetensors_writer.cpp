#include "formats/safetensors_writer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "core/error.h"

namespace osc {
namespace {

constexpr int64_t kChunkElements = int64_t{1} << 20;

void check_writable_dtype(const StreamedTensor& t) {
  if (t.dtype != DType::F32 && t.dtype != DType::F16 && t.dtype != DType::BF16)
    throw_internal(t.name, "the safetensors writer stores F32, F16 or BF16, not " + std::string(dtype_name(t.dtype)));
}

// Spaces after the JSON so that the tensor data starts 8-byte aligned, as the reference writer does.
std::string padded(std::string header_text) {
  header_text.append((8 - header_text.size() % 8) % 8, ' ');
  return header_text;
}

// The 8-byte little-endian length of the (padded) header, then the header.
void write_header(std::ostream& out, const std::string& header_text) {
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(static_cast<uint64_t>(header_text.size()) >> (8 * i));
  out.write(reinterpret_cast<const char*>(length), 8);
  out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
}

std::string header_json(const std::vector<const StreamedTensor*>& tensors) {
  nlohmann::ordered_json header;
  header["__metadata__"] = {{"format", "pt"}};
  uint64_t offset = 0;
  for (const StreamedTensor* t : tensors) {
    check_writable_dtype(*t);
    const uint64_t end = offset + t->nbytes();
    header[t->name] = {{"dtype", dtype_name(t->dtype)}, {"shape", t->shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  return padded(header.dump());
}

// Converts count f32 values into the stored representation at `out` (little-endian).
void encode(DType dtype, const float* in, int64_t count, std::vector<uint8_t>& out) {
  out.resize(static_cast<size_t>(count) * static_cast<size_t>(dtype_block_bytes(dtype)));
  if (dtype == DType::F32) {
    __builtin_memcpy(out.data(), in, out.size());
    return;
  }
  auto* half = reinterpret_cast<uint16_t*>(out.data());
  for (int64_t i = 0; i < count; ++i) half[i] = dtype == DType::BF16 ? f32_to_bf16(in[i]) : f32_to_f16(in[i]);
}

void write_tensor_data(std::ostream& out, const StreamedTensor& t, uint64_t& bytes_done, const WriteProgress& progress) {
  const int64_t n = shape_numel(t.shape);
  std::vector<float> values(static_cast<size_t>(std::min(n, kChunkElements)));
  std::vector<uint8_t> bytes;
  for (int64_t first = 0; first < n; first += kChunkElements) {
    const int64_t count = std::min(kChunkElements, n - first);
    t.generate(first, count, values.data());
    encode(t.dtype, values.data(), count, bytes);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    bytes_done += bytes.size();
    if (progress) progress(bytes_done);
  }
}

std::string shard_name(size_t index, size_t count) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", index + 1, count);
  return buf;
}

}  // namespace

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, TensorView>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, view] : tensors) {
    OSC_CHECK_INPUT(!name.empty() && name != "__metadata__", path, "invalid tensor name '" + name + "'");
    OSC_CHECK_INPUT(!header.contains(name), path, "duplicate tensor name '" + name + "'");
    OSC_CHECK_INPUT(!dtype_is_quantized(view.dtype), path,
                    "tensor '" + name + "': safetensors cannot store " + std::string(dtype_name(view.dtype)));
    auto bytes = dtype_storage_bytes(view.dtype, static_cast<uint64_t>(view.numel()));
    OSC_CHECK_INPUT(bytes && *bytes == view.nbytes, path, "tensor '" + name + "': byte size does not match its shape");
    header[name] = {{"dtype", dtype_name(view.dtype)}, {"shape", view.shape}, {"data_offsets", {offset, offset + view.nbytes}}};
    offset += view.nbytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::type_error& e) {
    throw_bad_input(path, std::string("a tensor name or metadata value is not valid UTF-8: ") + e.what());
  }
  text = padded(text);
  // Data in the caller's order, the order the offsets were assigned in (nlohmann sorts the keys).
  write_file_atomically(path, [&](std::ostream& out) {
    write_header(out, text);
    for (const auto& [name, view] : tensors)
      out.write(static_cast<const char*>(view.data), static_cast<std::streamsize>(view.nbytes));
  });
}

uint64_t StreamedTensor::nbytes() const {
  return static_cast<uint64_t>(shape_numel(shape)) * static_cast<uint64_t>(dtype_block_bytes(dtype));
}

uint64_t safetensors_header_bytes(const std::vector<const StreamedTensor*>& tensors) {
  return 8 + header_json(tensors).size();
}

void write_safetensors_streamed(const std::string& path, const std::vector<const StreamedTensor*>& tensors,
                                const WriteProgress& progress, uint64_t bytes_before) {
  const std::string header = header_json(tensors);
  write_file_atomically(path, [&](std::ostream& out) {
    write_header(out, header);
    uint64_t bytes_done = bytes_before;
    for (const StreamedTensor* t : tensors) {
      write_tensor_data(out, *t, bytes_done, progress);
      if (!out) throw_internal(path, "write failed (disk full?)");
    }
  });
}

std::vector<std::vector<size_t>> plan_safetensors_shards(const std::vector<StreamedTensor>& tensors,
                                                         uint64_t max_shard_bytes) {
  std::vector<std::vector<size_t>> shards;
  uint64_t current = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const uint64_t bytes = tensors[i].nbytes();
    if (shards.empty() || (current > 0 && current + bytes > max_shard_bytes)) {
      shards.emplace_back();
      current = 0;
    }
    shards.back().push_back(i);
    current += bytes;
  }
  return shards;
}

std::vector<std::string> write_safetensors_model(const std::string& dir, const std::vector<StreamedTensor>& tensors,
                                                 uint64_t max_shard_bytes, const WriteProgress& progress) {
  const auto shards = plan_safetensors_shards(tensors, max_shard_bytes);
  std::vector<std::string> written;
  nlohmann::ordered_json weight_map = nlohmann::ordered_json::object();
  uint64_t bytes_done = 0;
  for (size_t s = 0; s < shards.size(); ++s) {
    const std::string name = shards.size() == 1 ? "model.safetensors" : shard_name(s, shards.size());
    std::vector<const StreamedTensor*> members;
    for (size_t i : shards[s]) {
      members.push_back(&tensors[i]);
      weight_map[tensors[i].name] = name;
    }
    write_safetensors_streamed((std::filesystem::path(dir) / name).string(), members, progress, bytes_done);
    for (const StreamedTensor* t : members) bytes_done += t->nbytes();
    written.push_back(name);
  }
  if (shards.size() > 1) {
    nlohmann::ordered_json index = {{"metadata", {{"total_size", bytes_done}}}, {"weight_map", weight_map}};
    write_text_atomically((std::filesystem::path(dir) / "model.safetensors.index.json").string(), index.dump(2) + "\n");
    written.push_back("model.safetensors.index.json");
  }
  return written;
}

}  // namespace osc
