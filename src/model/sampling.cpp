#include "model/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace osc {
namespace {

int32_t argmax(const float* logits, int64_t vocab) {
  int32_t best = 0;
  for (int32_t v = 1; v < vocab; ++v)
    if (logits[v] > logits[best]) best = v;
  return best;
}

// Token ids by descending probability (ties: lower id first, so that draws are reproducible).
std::vector<int32_t> ids_by_probability(const std::vector<double>& p) {
  std::vector<int32_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return p[a] > p[b]; });
  return order;
}

// Zeroes every token outside the k most likely.
void keep_top_k(std::vector<double>& p, const std::vector<int32_t>& order, int64_t k) {
  for (size_t rank = static_cast<size_t>(k); rank < order.size(); ++rank) p[order[rank]] = 0.0;
}

// Zeroes the tokens after the smallest prefix of the most likely whose mass reaches top_p of the
// remaining mass (the token that crosses p is kept; at least one token always is).
void keep_top_p(std::vector<double>& p, const std::vector<int32_t>& order, double top_p) {
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  double mass = 0.0;
  size_t rank = 0;
  for (; rank < order.size() && p[order[rank]] > 0.0; ++rank) {
    mass += p[order[rank]];
    if (mass >= top_p * total) break;
  }
  for (++rank; rank < order.size(); ++rank) p[order[rank]] = 0.0;
}

}  // namespace

std::vector<double> next_token_distribution(const float* logits, int64_t vocab, const SamplingOptions& options) {
  std::vector<double> p(static_cast<size_t>(vocab), 0.0);
  const int32_t best = argmax(logits, vocab);
  if (options.temperature <= 0.0) {
    p[best] = 1.0;
    return p;
  }
  // exp((l - max) / T): the largest weight is 1, so nothing overflows; f64 keeps small ones.
  for (int64_t v = 0; v < vocab; ++v) p[v] = std::exp((static_cast<double>(logits[v]) - logits[best]) / options.temperature);
  const std::vector<int32_t> order = ids_by_probability(p);
  if (options.top_k > 0 && options.top_k < vocab) keep_top_k(p, order, options.top_k);
  if (options.top_p < 1.0) keep_top_p(p, order, options.top_p);
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& x : p) x /= total;
  return p;
}

int32_t sample_next_token(const float* logits, int64_t vocab, const SamplingOptions& options, std::mt19937_64& rng) {
  if (options.temperature <= 0.0) return argmax(logits, vocab);
  const std::vector<double> p = next_token_distribution(logits, vocab, options);
  return static_cast<int32_t>(std::discrete_distribution<int64_t>(p.begin(), p.end())(rng));
}

}  // namespace osc
