// ParamStore: every trainable tensor of a model in one flat f32 buffer (and a gradient buffer of the
// same layout), so the optimizer, gradient clipping and checkpoints see one array while the model
// addresses tensors by offset.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "train/rng.h"

namespace osc::train {

enum class Init { Normal, ResidualNormal, Zeros, Ones };  // ResidualNormal: std scaled by 1/sqrt(2*layers)

struct ParamSpec {
  std::string name;  // HF GPT-2 style without prefix: "h.0.attn.c_attn.weight"
  Shape shape;       // PyTorch order; linear weights are [out, in]
  Init init = Init::Normal;
};

struct ParamEntry {
  ParamSpec spec;
  int64_t offset = 0, numel = 0;
};

class ParamStore {
 public:
  // Registers a tensor and returns its offset (buffers are sized by allocate()).
  int64_t add(ParamSpec spec);
  // Sizes grads, and values unless `with_values` is false (a replica that reads another store's values).
  void allocate(bool with_values = true);
  // nanoGPT initialisation: N(0, 0.02), residual projections N(0, 0.02/sqrt(2*layers)).
  void initialize(uint64_t seed, int64_t layers);
  void zero_grads();

  const std::vector<ParamEntry>& entries() const { return entries_; }
  const ParamEntry* find(const std::string& name) const;
  int64_t total() const { return total_; }

  std::vector<float> values, grads;  // [total]

 private:
  std::vector<ParamEntry> entries_;
  int64_t total_ = 0;
};

}  // namespace osc::train
