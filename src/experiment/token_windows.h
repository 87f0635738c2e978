// Validation data as a fixed set of windows: `count` sequences of `seq` input tokens and their
// next-token targets, drawn once from a dataset's validation split with a fixed seed, so every
// variant (and every compression) is measured on the same tokens.
#pragma once
#include <cstdint>
#include <vector>

#include "train/token_data.h"

namespace osc::experiment {

struct TokenWindows {
  int64_t count = 0, seq = 0;
  std::vector<int32_t> tokens, targets;  // [count, seq]
  const int32_t* tokens_of(int64_t w) const { return tokens.data() + w * seq; }
  const int32_t* targets_of(int64_t w) const { return targets.data() + w * seq; }
};

// Draws through TokenDataset::sample (random offsets; whole sequences for aligned datasets such as
// Bigram-Backcopy, which begin with BOS). BadInput for count or seq < 1 or a too-small split.
TokenWindows sample_validation_windows(const train::TokenDataset& data, int64_t count, int64_t seq, uint64_t seed);

}  // namespace osc::experiment
