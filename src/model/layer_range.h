// A contiguous range of a model's layers: what one process of a layer-pipelined job binds and
// runs (pipeline/).
#pragma once
#include <cstdint>

namespace osc {

// Layers [first, end); end < 0 means up to the last layer (the default: the whole model).
struct LayerRange {
  int64_t first = 0, end = -1;
  int64_t end_in(int64_t n_layers) const { return end < 0 ? n_layers : end; }
  bool contains(int64_t layer, int64_t n_layers) const { return layer >= first && layer < end_in(n_layers); }
};

}  // namespace osc
