// The safetensors writers (the reader is safetensors.h). Both frame a file the same way: 8-byte
// little-endian header length, the JSON header space-padded so the data starts 8-byte aligned, the
// tensor data in order.
//   write_safetensors: tensors already in memory, any plain dtype, header keys sorted.
//   write_safetensors_model: streamed, for checkpoints of any size (synth): the header is written
//   first (offsets follow from the shapes), then each tensor is produced chunk by chunk and
//   converted to its stored dtype, in a few MiB of memory; files larger than a shard limit are split
//   the way Hugging Face does (model-00001-of-0000N.safetensors + model.safetensors.index.json).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "core/tensor.h"

namespace osc {

// Writes the tensors (F32, F16, BF16, I32, I64 and the other plain dtypes) in the given order,
// atomically. Throws BadInput for quantized dtypes, duplicate or empty names.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, TensorView>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

struct StreamedTensor {
  std::string name;
  DType dtype = DType::F32;  // F32, F16 or BF16
  Shape shape;
  // Writes the f32 values of elements [first, first + count) into out.
  std::function<void(int64_t first, int64_t count, float* out)> generate;

  uint64_t nbytes() const;
};

// Called after each chunk with the number of tensor bytes written so far (all files together).
using WriteProgress = std::function<void(uint64_t bytes_done)>;

// Bytes of the 8-byte length prefix plus the padded JSON header for these tensors.
uint64_t safetensors_header_bytes(const std::vector<const StreamedTensor*>& tensors);

// Writes one .safetensors file atomically.
void write_safetensors_streamed(const std::string& path, const std::vector<const StreamedTensor*>& tensors,
                                const WriteProgress& progress, uint64_t bytes_before = 0);

// Groups tensors, in order, into shards of at most max_shard_bytes of tensor data (a larger
// tensor gets a shard of its own). Returns indices into `tensors`.
std::vector<std::vector<size_t>> plan_safetensors_shards(const std::vector<StreamedTensor>& tensors,
                                                         uint64_t max_shard_bytes);

// Writes dir/model.safetensors, or the shards and their index when there is more than one.
// Returns the file names written (index last).
std::vector<std::string> write_safetensors_model(const std::string& dir, const std::vector<StreamedTensor>& tensors,
                                                 uint64_t max_shard_bytes, const WriteProgress& progress);

}  // namespace osc
