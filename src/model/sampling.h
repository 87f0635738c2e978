// Choosing the next token from logits, as Hugging Face's generate() does with do_sample: the
// logits are divided by the temperature, then top-k keeps the k largest, then top-p (nucleus)
// keeps the smallest set of most likely tokens whose probability reaches p; the next token is
// drawn from the renormalised rest. Temperature 0 is greedy decoding (argmax; ties: lowest id).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace osc {

struct SamplingOptions {
  double temperature = 0.0;  // 0: greedy
  int64_t top_k = 0;         // 0: no top-k filter
  double top_p = 1.0;        // 1: no top-p filter; in (0, 1]
};

// The distribution the next token is drawn from: [vocab] probabilities, 0 for filtered tokens.
// Greedy (temperature 0) puts all the mass on the argmax.
std::vector<double> next_token_distribution(const float* logits, int64_t vocab, const SamplingOptions& options);

// One draw from next_token_distribution.
int32_t sample_next_token(const float* logits, int64_t vocab, const SamplingOptions& options, std::mt19937_64& rng);

}  // namespace osc
