// Random linear weights [out, in] in any stored dtype, for the kernel tests and benchmarks.
// Plain types hold sin-spread values of about +-0.1 rounded to the dtype. Block types hold random
// bytes (every quant and sub-block scale pattern is a valid value) with each f16 block scale
// overwritten by a finite one in [0.002, 0.01], so decoded weights are of the same size.
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/tensor.h"

namespace osc::test {

// Byte offsets of the f16 scales inside one block of a GGUF type (ggml's layouts, core/dequant.cpp).
inline std::vector<int> f16_scale_offsets(DType dtype) {
  switch (dtype) {
    case DType::Q4_0:
    case DType::Q8_0: return {0};
    case DType::Q4_K:
    case DType::Q5_K: return {0, 2};  // d, dmin
    case DType::Q6_K: return {208};
    default: return {};
  }
}

inline std::vector<uint8_t> random_weight_bytes(DType dtype, int64_t out, int64_t in, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto bytes = dtype_storage_bytes(dtype, static_cast<uint64_t>(out * in));
  if (!bytes) throw std::runtime_error("random_weight_bytes: [" + std::to_string(out) + ", " + std::to_string(in) + "] is not whole " + std::string(dtype_name(dtype)) + " blocks");
  std::vector<uint8_t> data(*bytes);
  if (dtype_is_quantized(dtype)) {
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    std::uniform_real_distribution<float> scale(0.002f, 0.01f);
    const int64_t block = dtype_block_bytes(dtype);
    for (uint64_t at = 0; at < data.size(); at += static_cast<uint64_t>(block))
      for (int offset : f16_scale_offsets(dtype)) {
        const uint16_t h = f32_to_f16(scale(rng));
        std::memcpy(data.data() + at + static_cast<uint64_t>(offset), &h, 2);
      }
    return data;
  }
  std::uniform_real_distribution<float> value(-0.1f, 0.1f);
  for (int64_t i = 0; i < out * in; ++i) {
    const float f = value(rng);
    if (dtype == DType::F32) std::memcpy(data.data() + 4 * i, &f, 4);
    else {
      const uint16_t h = dtype == DType::BF16 ? f32_to_bf16(f) : f32_to_f16(f);
      std::memcpy(data.data() + 2 * i, &h, 2);
    }
  }
  return data;
}

inline TensorView weight_view(const std::vector<uint8_t>& data, DType dtype, int64_t out, int64_t in) {
  TensorView v;
  v.dtype = dtype;
  v.shape = {out, in};
  v.data = data.data();
  v.nbytes = data.size();
  return v;
}

}  // namespace osc::test
