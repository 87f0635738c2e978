#include "experiment/token_windows.h"

#include "core/error.h"

namespace osc::experiment {

TokenWindows sample_validation_windows(const train::TokenDataset& data, int64_t count, int64_t seq, uint64_t seed) {
  OSC_CHECK_INPUT(count >= 1 && count <= 100000 && seq >= 1 && seq <= 1000000, "validation windows",
                  "window count must be in 1..100000 and length in 1..1000000");
  TokenWindows w;
  w.count = count, w.seq = seq;
  w.tokens.resize(static_cast<size_t>(count * seq));
  w.targets.resize(static_cast<size_t>(count * seq));
  train::Rng rng(seed);
  data.sample(train::Split::Val, rng, count, seq, w.tokens.data(), w.targets.data());
  return w;
}

}  // namespace osc::experiment
