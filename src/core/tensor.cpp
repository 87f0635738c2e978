#include "core/tensor.h"

#include <cstring>

#include "core/error.h"
#include "core/dequant.h"

namespace osc {

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

uint64_t TensorView::row_bytes() const {
  auto bytes = dtype_storage_bytes(dtype, static_cast<uint64_t>(row_length()));
  if (!bytes) throw_internal("TensorView", "row length " + std::to_string(row_length()) +
                                               " is not a whole number of " + std::string(dtype_name(dtype)) + " blocks");
  return *bytes;
}

void TensorView::row_to_f32(int64_t row, float* out) const {
  dequantize_row(dtype, row_ptr(row), out, row_length());
}

void TensorView::rows_to_f32(int64_t first, int64_t count, float* out) const {
  for (int64_t r = 0; r < count; ++r) row_to_f32(first + r, out + r * row_length());
}

std::vector<float> TensorView::to_f32() const {
  std::vector<float> out(static_cast<size_t>(numel()));
  if (!out.empty()) rows_to_f32(0, rows(), out.data());
  return out;
}

TensorView Tensor::view() const {
  TensorView v;
  v.dtype = DType::F32;
  v.shape = shape;
  v.data = data.data();
  v.nbytes = data.size() * sizeof(float);
  return v;
}

}  // namespace osc
