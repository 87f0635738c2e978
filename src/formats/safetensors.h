// safetensors: a memory-mapped reader for one file or a sharded checkpoint
// (model.safetensors.index.json); the writers are in safetensors_writer.h. Shapes are already in
// PyTorch order.
//
// Views point into the mapping; safetensors does not align tensor data, so a view's data pointer
// may be unaligned for its dtype (read it with memcpy or TensorView::row_to_f32).
#pragma once
#include <map>
#include <string>

#include "formats/named_tensors.h"
#include "formats/safetensors_writer.h"

namespace osc {

struct SafetensorsContents {
  NamedTensors tensors;                          // file order (header order for one file)
  std::map<std::string, std::string> metadata;   // the header's "__metadata__" (merged over shards)
};

// One .safetensors file. Throws BadInput "<path>: <problem>" for any malformed header.
SafetensorsContents read_safetensors(const std::string& path);
// A sharded checkpoint: reads the index's weight_map and every shard it names (relative to the
// index's folder); each tensor must be in the shard the index says.
SafetensorsContents read_safetensors_index(const std::string& index_path);

}  // namespace osc
