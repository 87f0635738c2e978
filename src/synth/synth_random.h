// Counter-based normal random numbers for synthetic weights: element i of a tensor depends only
// on (seed, tensor name, i), so a tensor can be generated in chunks, in parallel, in any order,
// and the values do not depend on the thread count or on how the checkpoint is sharded.
#pragma once
#include <cstdint>
#include <string_view>

namespace osc {

class SynthNormal {
 public:
  SynthNormal(uint64_t seed, std::string_view tensor_name);
  // out[k] = stddev * N(0, 1) value of element first + k, for k in [0, count).
  void fill(int64_t first, int64_t count, float stddev, float* out) const;

 private:
  uint64_t key_;
};

}  // namespace osc
