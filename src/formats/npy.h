// NumPy's .npy format (version 1.0, C order, little-endian), the array files `run --npy-dir` writes.
#pragma once
#include <string>

#include "core/tensor.h"

namespace osc {

// Writes one .npy file of an F32 ("<f4") or I32 ("<i4") tensor, atomically. Internal error for any
// other dtype (nothing of ours writes one).
void write_npy(const std::string& path, const TensorView& tensor);

}  // namespace osc
