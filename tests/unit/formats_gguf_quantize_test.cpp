// The GGUF quantizers (formats/gguf_quantize.h) against the independent numpy decoders of
// tests/reference/kernels_matmul_ref.py (ggml's published block layouts): the script multiplies the
// quantized weight by the identity, so its output is the weight as numpy decodes it. Each decoded
// value must equal the engine's decoding (core/dequant.h) and lie within the type's error bound of
// the original; rows hold normal values, outliers 100x larger, and all-zero, constant and
// all-negative blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "formats/gguf_quantize.h"
#include "support/shared_data.h"

namespace osc {
namespace {

struct Case {
  DType type;
  int64_t rows, cols;
};

// [rows, cols]: N(0, 1), every 37th value x100, then block-sized runs of 0, of 0.75 and of -|x|.
std::vector<float> test_matrix(int64_t rows, int64_t cols, int64_t block, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < w.size(); ++i) w[i] = normal(rng) * (i % 37 == 5 ? 100.0f : 1.0f);
  for (int64_t j = 0; j < block && 3 * block <= cols; ++j) {
    w[static_cast<size_t>(j)] = 0.0f;
    w[static_cast<size_t>(block + j)] = 0.75f;
    w[static_cast<size_t>(2 * block + j)] = -std::fabs(w[static_cast<size_t>(2 * block + j)]);
  }
  return w;
}

// How far a decoded value may be from the original, from the extremes of its block: half a step
// (Q8_0: max|x| / 127; Q4_0: max|x| / 8, a full step at the clamped end; Q4_K / Q5_K: range / 15
// resp. / 31 of the super-block, widened by the 6-bit coding of sub-block scales and mins; Q6_K:
// half of max|x| / 31.5, widened by the 8-bit coding of the steps, up to 32 * half a super-scale),
// plus f16 rounding of the scales.
double error_bound(DType type, const float* block, int64_t n) {
  const auto [lo, hi] = std::minmax_element(block, block + n);
  const double amax = std::max(std::fabs(*lo), std::fabs(*hi));
  switch (type) {
    case DType::Q8_0: return amax * (0.5 / 127 + 1.0 / 1024);
    case DType::Q4_0: return amax * (1.0 / 8 + 1.0 / 1024);
    case DType::Q4_K: return (std::max(0.0f, *hi) - std::min(0.0f, *lo)) * (1.0 / 15 + 1.0 / 1024);
    case DType::Q5_K: return (std::max(0.0f, *hi) - std::min(0.0f, *lo)) * (1.0 / 31 + 1.0 / 1024);
    case DType::Q6_K: return amax * (1.0 / 63 + 16.0 / (31.5 * 127) + 1.0 / 1024);
    default: return amax / 2048;  // F16: half an ulp
  }
}

void write_bytes(const std::string& path, const void* data, size_t n) {
  std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
}

TEST(GgufQuantize, RoundTripThroughTheNumpyDecoders) {
  const std::vector<Case> cases = {{DType::F16, 3, 64}, {DType::Q8_0, 3, 96}, {DType::Q4_0, 3, 96}, {DType::Q4_K, 3, 768},
                                 {DType::Q5_K, 3, 768}, {DType::Q6_K, 3, 768}};
  const std::string dir = test::scratch_dir("gguf_quantize");
  std::ofstream list(dir + "/cases.txt");
  std::vector<std::vector<float>> originals;
  std::vector<std::vector<uint8_t>> stored;
  uint32_t seed = 1;
  for (const Case& c : cases) {
    const std::string name(dtype_name(c.type));
    originals.push_back(test_matrix(c.rows, c.cols, dtype_block_elements(c.type) == 1 ? 32 : dtype_block_elements(c.type), seed++));
    stored.push_back(quantize_rows(c.type, originals.back().data(), c.rows, c.cols));
    std::vector<float> identity(static_cast<size_t>(c.cols * c.cols), 0.0f);
    for (int64_t i = 0; i < c.cols; ++i) identity[static_cast<size_t>(i * c.cols + i)] = 1.0f;
    write_bytes(dir + "/" + name + "_w.bin", stored.back().data(), stored.back().size());
    write_bytes(dir + "/" + name + "_x.bin", identity.data(), identity.size() * sizeof(float));
    list << name << " " << name << " " << c.rows << " " << c.cols << " " << c.cols << "\n";
  }
  list.close();
  test::run_reference("kernels_matmul_ref.py", dir);
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    const std::string name(dtype_name(c.type));
    std::vector<double> y(static_cast<size_t>(c.cols * c.rows));  // [cols, rows] = decoded weightᵀ
    std::ifstream(dir + "/" + name + "_y.bin", std::ios::binary)
        .read(reinterpret_cast<char*>(y.data()), static_cast<std::streamsize>(y.size() * 8));
    const TensorView view{c.type, {c.rows, c.cols}, stored[k].data(), stored[k].size(), nullptr};
    const std::vector<float> engine = view.to_f32();
    const int64_t block = dtype_block_elements(c.type) == 1 ? 32 : dtype_block_elements(c.type);
    for (int64_t r = 0; r < c.rows; ++r)
      for (int64_t i = 0; i < c.cols; ++i) {
        const size_t at = static_cast<size_t>(r * c.cols + i);
        const double numpy = y[static_cast<size_t>(i * c.rows + r)];
        ASSERT_NEAR(engine[at], numpy, 1e-6 * (std::fabs(numpy) + 1)) << name << " [" << r << ", " << i << "]";
        const float* first = originals[k].data() + r * c.cols + i / block * block;
        ASSERT_LE(std::fabs(numpy - originals[k][at]), error_bound(c.type, first, block))
            << name << " [" << r << ", " << i << "] original " << originals[k][at];
      }
  }
}

TEST(GgufQuantize, RefusesTypesItCannotWriteAndPartialBlocks) {
  std::vector<float> x(64, 1.0f);
  std::vector<uint8_t> out(512);
  EXPECT_FALSE(can_quantize_to(DType::Q3_K));
  EXPECT_THROW(quantize_row(DType::Q3_K, x.data(), out.data(), 256), std::runtime_error);
  EXPECT_THROW(quantize_rows(DType::Q6_K, x.data(), 1, 64), std::runtime_error);
  EXPECT_THROW(quantize_row(DType::Q8_0, x.data(), out.data(), 48), std::runtime_error);
  EXPECT_THROW(quantize_rows(DType::Q4_K, x.data(), 1, 64), std::runtime_error);
}

}  // namespace
}  // namespace osc
