// |W| around one weight index, for the 3-D weight figures (pos_weight / life_emergence): a few
// columns (the first three, a window around `index`, the last) against the other axis (all of it
// up to 512 entries, else an even subsample that keeps the largest entries of `index`).
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/tensor.h"

namespace osc::analysis {

// along_rows = false: `index` is a column of W [out, in] (down projection: a d_ff channel);
// along_rows = true: `index` is a row (gate/up: the d_ff row feeding that channel), shown
// transposed so that the selected axis is always "columns" in the JSON (docs/report-schema.md).
nlohmann::json weight_landscape(const TensorView& w, int64_t layer, const std::string& module, int64_t index,
                                bool along_rows);

}  // namespace osc::analysis
