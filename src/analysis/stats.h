// Small order statistics shared by the analyses, defined as numpy defines them so the reference
// scripts can compare exactly: median of an even count = mean of the two middle values; ties in
// top-k go to the lower index (numpy's stable argsort of the negated values).
#pragma once
#include <cstdint>
#include <vector>

namespace osc::analysis {

double median_of(std::vector<float> values);           // NaN for an empty vector
double median_abs(const float* values, int64_t n);      // median of |values|
// Indices of the k largest values (k clipped to n), largest first, ties to the lower index.
std::vector<int64_t> top_k_indices(const float* values, int64_t n, int64_t k);
std::vector<int64_t> top_k_indices(const std::vector<float>& values, int64_t k);

// -log softmax(row)[target] over a [vocab] logit row, in f64 (perplexity and ablation scoring).
double next_token_nll(const float* row, int64_t vocab, int32_t target);

}  // namespace osc::analysis
