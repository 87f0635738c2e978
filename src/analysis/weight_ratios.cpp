// matrix_ratios (weight_outliers.h) at memory speed: the same numbers as one pass over the rows,
// element after element (every f64 sum adds its terms in the same order), with the work
// arranged so that it vectorises or runs as independent chains.
#include <algorithm>
#include <bit>
#include <cmath>

#include "analysis/weight_outliers.h"
#include "core/error.h"
#include "kernels/convert_rows.h"

namespace osc::analysis {
namespace {

constexpr double kEpsilon = 1e-8;  // as in the paper's code: max / (mean + 1e-8)
constexpr int64_t kBlockRows = 64;
constexpr int64_t kChains = 8;     // rows whose f64 sums advance together (add latency / throughput)

// Rows [first, first + count) as f32 into out [count, cols]: the vectorised decoders where they
// give exactly rows_to_f32's values, rows_to_f32 otherwise.
void block_to_f32(const TensorView& w, int64_t first, int64_t count, float* out) {
  const DType t = w.dtype;
  if (t == DType::F32 || t == DType::BF16 || t == DType::F16 || t == DType::Q8_0 || t == DType::Q4_0)
    kernels::convert_rows_to_f32(w, first, count, out);
  else
    w.rows_to_f32(first, count, out);
}

// BadInput naming the first non-finite weight of the block [count, cols] (NaN would drop out of
// every max and hide the column). The test for one is a branch-free pass over the exponents.
void check_finite(const float* block, int64_t count, int64_t cols, int64_t first_row, const std::string& where) {
  uint32_t all_ones = 0;
  for (int64_t k = 0; k < count * cols; ++k)
    all_ones |= (std::bit_cast<uint32_t>(block[k]) & 0x7f800000u) == 0x7f800000u;
  if (!all_ones) return;
  for (int64_t k = 0; k < count * cols; ++k)
    if (!std::isfinite(block[k]))
      throw_bad_input(where, "non-finite weight (" + std::to_string(block[k]) + ") at row " +
                                 std::to_string(first_row + k / cols) + ", column " + std::to_string(k % cols));
}

// Column sums and maxima of |row| [cols], rows added in order.
void add_to_columns(const float* row, int64_t cols, double* col_sum, float* col_max) {
  for (int64_t j = 0; j < cols; ++j) {
    const float a = std::fabs(row[j]);
    col_sum[j] += a;
    col_max[j] = std::max(col_max[j], a);
  }
}

// max |row|: for finite values, |x|'s bits order as the values do.
float row_max(const float* row, int64_t cols) {
  uint32_t m = 0;
  for (int64_t j = 0; j < cols; ++j) m = std::max(m, std::bit_cast<uint32_t>(row[j]) & 0x7fffffffu);
  return std::bit_cast<float>(m);
}

// sum |row| in f64, column after column, for N rows [N, cols] at once.
template <int N>
void row_sums(const float* rows, int64_t cols, double* sums) {
  double s[N] = {};
  for (int64_t j = 0; j < cols; ++j)
    for (int r = 0; r < N; ++r) s[r] += std::fabs(rows[r * cols + j]);
  std::copy(s, s + N, sums);
}

}  // namespace

MatrixRatios matrix_ratios(const TensorView& w, const std::string& where) {
  OSC_CHECK_INPUT(w.rank() == 2 && w.rows() > 0 && w.row_length() > 0, where,
                  "expected a non-empty 2-D weight, got " + shape_to_string(w.shape));
  const int64_t rows = w.rows(), cols = w.row_length();
  MatrixRatios r{w.shape, std::vector<float>(static_cast<size_t>(cols)), std::vector<float>(static_cast<size_t>(rows))};
  std::vector<double> col_sum(static_cast<size_t>(cols), 0.0);
  std::vector<float> col_max(static_cast<size_t>(cols), 0.0f);
  std::vector<float> block(static_cast<size_t>(kBlockRows * cols));  // [block rows, in]
  double sums[kBlockRows];
  for (int64_t first = 0; first < rows; first += kBlockRows) {
    const int64_t count = std::min(kBlockRows, rows - first);
    block_to_f32(w, first, count, block.data());
    check_finite(block.data(), count, cols, first, where);
    int64_t i = 0;
    for (; i + kChains <= count; i += kChains) row_sums<kChains>(block.data() + i * cols, cols, sums + i);
    for (; i < count; ++i) row_sums<1>(block.data() + i * cols, cols, sums + i);
    for (i = 0; i < count; ++i) {
      const float* row = block.data() + i * cols;
      add_to_columns(row, cols, col_sum.data(), col_max.data());
      r.row_ratio[static_cast<size_t>(first + i)] = static_cast<float>(row_max(row, cols) / (sums[i] / cols + kEpsilon));
    }
  }
  for (int64_t j = 0; j < cols; ++j)
    r.col_ratio[static_cast<size_t>(j)] =
        static_cast<float>(col_max[static_cast<size_t>(j)] / (col_sum[static_cast<size_t>(j)] / rows + kEpsilon));
  return r;
}

}  // namespace osc::analysis
