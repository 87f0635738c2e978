// Weight and activation compression used by the efficiency experiment (the paper's payoff: a model
// without systematic outliers should survive 8-bit quantization and pruning far better).
// All functions are "fake" compression: values are rounded / zeroed in place and stay f32, so the
// unmodified forward pass measures the accuracy cost.
#pragma once
#include <cstdint>
#include <span>

namespace osc::experiment {

// Symmetric 8-bit absmax quantization of a whole matrix: scale = max|w| / 127.
void fake_quant_int8_per_tensor(std::span<float> values);
// The same with one scale per output channel (row of a [out, in] weight).
void fake_quant_int8_per_row(std::span<float> values, int64_t row_length);
// Sets the `fraction` smallest-magnitude entries of the matrix to zero (unstructured magnitude
// pruning, one threshold per matrix; ties at the threshold are pruned in index order).
void prune_by_magnitude(std::span<float> values, double fraction);

}  // namespace osc::experiment
