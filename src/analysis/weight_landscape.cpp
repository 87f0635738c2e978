#include "analysis/weight_landscape.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/stats.h"
#include "core/error.h"

namespace osc::analysis {
namespace {

constexpr int64_t kMaxOtherAxis = 512;
constexpr int64_t kWindow = 2;
constexpr int64_t kHighlighted = 2;

std::vector<int64_t> selected_indices(int64_t index, int64_t extent) {
  std::set<int64_t> picked;
  for (int64_t i = 0; i < std::min<int64_t>(3, extent); ++i) picked.insert(i);
  for (int64_t i = index - kWindow; i <= index + kWindow; ++i)
    if (i >= 0 && i < extent) picked.insert(i);
  picked.insert(extent - 1);
  return {picked.begin(), picked.end()};
}

// |W| along the other axis at each of `indices` (columns if !along_rows, else rows), reading the
// weight once: [indices.size()][other extent].
std::vector<std::vector<float>> magnitudes_at(const TensorView& w, const std::vector<int64_t>& indices, bool along_rows) {
  std::vector<std::vector<float>> out(indices.size());
  std::vector<float> row(static_cast<size_t>(w.row_length()));
  if (along_rows) {
    for (size_t i = 0; i < indices.size(); ++i) {
      w.row_to_f32(indices[i], row.data());
      for (float v : row) out[i].push_back(std::fabs(v));
    }
    return out;
  }
  for (int64_t r = 0; r < w.rows(); ++r) {
    w.row_to_f32(r, row.data());
    for (size_t i = 0; i < indices.size(); ++i) out[i].push_back(std::fabs(row[static_cast<size_t>(indices[i])]));
  }
  return out;
}

std::vector<int64_t> other_axis(int64_t extent, const std::vector<int64_t>& highlighted) {
  std::set<int64_t> picked(highlighted.begin(), highlighted.end());
  const int64_t step = std::max<int64_t>(1, (extent + kMaxOtherAxis - 1) / kMaxOtherAxis);
  for (int64_t i = 0; i < extent; i += step) picked.insert(i);
  return {picked.begin(), picked.end()};
}

}  // namespace

nlohmann::json weight_landscape(const TensorView& w, int64_t layer, const std::string& module, int64_t index,
                                bool along_rows) {
  const std::string where = "layer " + std::to_string(layer) + " " + module;
  OSC_CHECK_INPUT(w.rank() == 2, where, "weight must be 2-D, got " + shape_to_string(w.shape));
  const int64_t selected_extent = along_rows ? w.rows() : w.row_length();
  const int64_t other_extent = along_rows ? w.row_length() : w.rows();
  OSC_CHECK_INPUT(index >= 0 && index < selected_extent, where, "index " + std::to_string(index) + " out of range");

  const std::vector<int64_t> columns = selected_indices(index, selected_extent);
  const std::vector<std::vector<float>> lines = magnitudes_at(w, columns, along_rows);
  const size_t index_slot = static_cast<size_t>(std::find(columns.begin(), columns.end(), index) - columns.begin());
  const std::vector<int64_t> highlight_rows = top_k_indices(lines[index_slot], kHighlighted);
  const std::vector<int64_t> rows = other_axis(other_extent, highlight_rows);

  std::vector<std::vector<float>> values(rows.size(), std::vector<float>(columns.size()));
  for (size_t c = 0; c < columns.size(); ++c)
    for (size_t r = 0; r < rows.size(); ++r) values[r][c] = lines[c][static_cast<size_t>(rows[r])];
  return {{"layer", layer},         {"module", module},
          {"transposed", along_rows}, {"columns", columns},
          {"highlight_columns", std::vector<int64_t>{index}},
          {"rows", rows},           {"highlight_rows", highlight_rows},
          {"abs_values", values}};
}

}  // namespace osc::analysis
