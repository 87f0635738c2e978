// TensorView: a non-owning view of a tensor in its stored dtype, over memory that an owner keeps
// alive (a memory-mapped file or an owned buffer). Shapes are in PyTorch order: outermost
// dimension first, the last dimension contiguous (a linear weight is [out_features, in_features]).
// Quantized types are always contiguous and their rows hold whole blocks.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace osc {

using Shape = std::vector<int64_t>;

std::string shape_to_string(const Shape& shape);  // "[4, 64]"
int64_t shape_numel(const Shape& shape);

struct TensorView {
  DType dtype = DType::F32;
  Shape shape;
  const void* data = nullptr;
  uint64_t nbytes = 0;
  std::shared_ptr<const void> owner;  // keeps the mapping / buffer alive

  int64_t numel() const { return shape_numel(shape); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  // A 2-D view of the tensor: rows x row_length (row_length = last dimension, 1 for scalars).
  int64_t row_length() const { return shape.empty() ? 1 : shape.back(); }
  int64_t rows() const { return row_length() == 0 ? 0 : numel() / row_length(); }
  uint64_t row_bytes() const;
  const uint8_t* row_ptr(int64_t row) const {
    return static_cast<const uint8_t*>(data) + static_cast<uint64_t>(row) * row_bytes();
  }
  // Converts one row to f32 (any dtype, including the quantized ones). out has row_length() floats.
  void row_to_f32(int64_t row, float* out) const;
  // Converts rows [first, first + count) into out[count * row_length()].
  void rows_to_f32(int64_t first, int64_t count, float* out) const;
  // The whole tensor as f32 (for small tensors: norms, biases, test comparisons).
  std::vector<float> to_f32() const;
};

// An owned f32 tensor, the currency of activations.
struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape s) : shape(std::move(s)), data(static_cast<size_t>(shape_numel(shape)), 0.0f) {}
  // A copy of shape_numel(s) floats at src (one pass: no zero-fill first).
  Tensor(Shape s, const float* src) : shape(std::move(s)), data(src, src + shape_numel(shape)) {}
  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  float* ptr() { return data.data(); }
  const float* ptr() const { return data.data(); }
  TensorView view() const;  // borrowed view (no owner)
};

}  // namespace osc
