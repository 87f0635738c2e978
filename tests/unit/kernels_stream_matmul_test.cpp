// linear() on every stored dtype and every path (stream: weights widened / decoded in registers;
// dnnl: oneDNN's f32 matmul, F32 weights only; gemm: converted blocks to OpenBLAS sgemm) against two
// independent references:
//   - a double-precision loop over the dequantized weights (core's decoder, TensorView::to_f32);
//   - PyTorch: tests/reference/kernels_matmul_ref.py decodes the stored bytes itself (torch's bf16 /
//     f16, numpy decoders of ggml's block layouts) and computes x @ Wᵀ in float64.
// Shapes are odd on purpose: output rows not a multiple of the row groups (16, 12, 8, 6, 4), rows
// shorter than and not a multiple of 16, K not a multiple of 256 for the 32-value block types
// (the K-quants: 1, 2 and 3 super-blocks), 1, 2, 3, 5 tokens (one tile each) and token counts that
// split into unequal tiles (9 = 5 + 4, 13 = 5 + 4 + 4, 16 = 5 + 5 + 6), 65 tokens (past the
// automatic stream path's limit; F32 weights go to oneDNN past 6), 130 and 300 tokens, and 3001
// rows for the threads to split (Q8_0 and Q4_0 at T = 1 too: Q8_0's 16-row groups there).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/matmul.h"
#include "kernels/stream_matmul.h"
#include "support/random_weights.h"
#include "support/shared_data.h"

namespace osc {
namespace {

struct Case {
  DType dtype;
  int64_t out, in, tokens;
  std::string name() const {
    return std::string(dtype_name(dtype)) + "_" + std::to_string(out) + "x" + std::to_string(in) + "_T" +
           std::to_string(tokens);
  }
};

std::vector<Case> cases() {
  std::vector<Case> all;
  for (DType d : {DType::F32, DType::BF16, DType::F16})
    for (auto [out, in, tokens] : std::vector<std::array<int64_t, 3>>{
             {37, 40, 1},  {37, 40, 9},  {19, 7, 2},   {29, 4101, 3}, {37, 40, 13},
             {37, 40, 16}, {37, 40, 65}, {37, 40, 300}, {3001, 64, 9}, {3001, 64, 130}})
      all.push_back({d, out, in, tokens});
  for (DType d : {DType::Q8_0, DType::Q4_0})
    for (auto [out, in, tokens] : std::vector<std::array<int64_t, 3>>{
             {37, 96, 1}, {19, 32, 2}, {29, 96, 3}, {37, 96, 9}, {37, 64, 13}, {13, 96, 16}, {11, 32, 65}, {3001, 64, 5},
             {3001, 96, 1}})
      all.push_back({d, out, in, tokens});
  // The K-quants' rows are whole 256-value super-blocks; K = 256, 512, 768 (1, 2, 3 blocks). Up to
  // 6 tokens (one tile) they are decoded in registers (groups of 8, 4, 4, 3, 2, 2 rows for 1 .. 6
  // tokens), past that into a buffer, rows at a time.
  for (DType d : {DType::Q4_K, DType::Q5_K, DType::Q6_K})
    for (auto [out, in, tokens] : std::vector<std::array<int64_t, 3>>{{37, 512, 1}, {19, 256, 2}, {29, 768, 3}, {37, 256, 4}, {37, 512, 5}, {31, 512, 6},
                                                                      {37, 512, 9}, {37, 256, 13}, {13, 512, 16}, {13, 256, 65},
                                                                      {3001, 256, 5}, {3001, 256, 9}})
      all.push_back({d, out, in, tokens});
  return all;
}

// Activations of an analysis: mostly ~1e-2 .. 1, one channel a massive activation of ~1000.
std::vector<float> activations(int64_t tokens, int64_t in) {
  std::vector<float> x(static_cast<size_t>(tokens * in));
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7f * static_cast<float>(i) + 0.3f);
  for (int64_t t = 0; t < tokens; ++t) x[static_cast<size_t>(t * in + in / 3)] = 1000.0f + static_cast<float>(t);
  return x;
}

// |got - want| within 1e-5 of the sum of |x_i w_i| (f32 accumulation of the same products in
// another order), as in f32 the outcome of a sum that cancels can only be that close.
void expect_close(const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& magnitude,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-5 * magnitude[i] + 1e-30) << what << " at " << i;
}

struct Reference {
  std::vector<double> y, magnitude;  // x · Wᵀ and x_abs · |W|ᵀ, [tokens, out]
};

Reference double_loop(const std::vector<float>& x, const TensorView& w, int64_t tokens) {
  const std::vector<float> wf = w.to_f32();
  const int64_t out = w.rows(), in = w.row_length();
  Reference r{std::vector<double>(static_cast<size_t>(tokens * out)), std::vector<double>(static_cast<size_t>(tokens * out))};
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < in; ++i) {
        const double p = static_cast<double>(x[t * in + i]) * wf[o * in + i];
        r.y[t * out + o] += p;
        r.magnitude[t * out + o] += std::fabs(p);
      }
  return r;
}

std::vector<float> run(const std::vector<float>& x, const TensorView& w, int64_t tokens, MatmulPath path) {
  std::vector<float> y(static_cast<size_t>(tokens * w.rows()));
  linear(x.data(), tokens, w, nullptr, y.data(), path);
  return y;
}

template <typename T>
void write_bin(const std::string& path, const std::vector<T>& v) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}

std::vector<double> read_f64(const std::string& path, size_t n) {
  std::vector<double> v(n);
  std::ifstream f(path, std::ios::binary);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(double)));
  EXPECT_TRUE(f) << "short reference output " << path;
  return v;
}

std::vector<MatmulPath> paths_for(DType dtype) {
  std::vector<MatmulPath> paths = {MatmulPath::automatic, MatmulPath::gemm};
  if (kernels::stream_matmul_available(dtype)) paths.push_back(MatmulPath::stream);
  if (dtype == DType::F32) paths.push_back(MatmulPath::dnnl);
  return paths;
}

const char* path_name(MatmulPath p) {
  switch (p) {
    case MatmulPath::stream: return "stream";
    case MatmulPath::dnnl: return "dnnl";
    case MatmulPath::gemm: return "gemm";
    case MatmulPath::automatic: break;
  }
  return "automatic";
}

TEST(StreamMatmul, EveryDtypeAndPathAgainstDoubleLoopOverDequantizedWeights) {
  uint32_t seed = 1;
  for (const Case& c : cases()) {
    const auto bytes = test::random_weight_bytes(c.dtype, c.out, c.in, seed++);
    const TensorView w = test::weight_view(bytes, c.dtype, c.out, c.in);
    const auto x = activations(c.tokens, c.in);
    const Reference ref = double_loop(x, w, c.tokens);
    for (MatmulPath p : paths_for(c.dtype)) expect_close(run(x, w, c.tokens, p), ref.y, ref.magnitude, c.name() + " " + path_name(p));
  }
}

// The bias on every path: added after the product (stream, gemm) or inside it (oneDNN), on both
// sides of the automatic crossover.
TEST(StreamMatmul, BiasIsAddedOnEveryPath) {
  uint32_t seed = 50;
  for (int64_t tokens : {int64_t{1}, kStreamTokensF32, kStreamTokensF32 + 1, kStreamTokens + 1, int64_t{130}}) {
    const int64_t out = 37, in = 40;
    const auto bytes = test::random_weight_bytes(DType::F32, out, in, seed++);
    const TensorView w = test::weight_view(bytes, DType::F32, out, in);
    const auto x = activations(tokens, in);
    std::vector<float> bias(static_cast<size_t>(out));
    for (int64_t o = 0; o < out; ++o) bias[static_cast<size_t>(o)] = 0.25f * static_cast<float>(o) - 3.0f;
    Reference ref = double_loop(x, w, tokens);
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t o = 0; o < out; ++o) {
        ref.y[static_cast<size_t>(t * out + o)] += bias[static_cast<size_t>(o)];
        ref.magnitude[static_cast<size_t>(t * out + o)] += std::fabs(bias[static_cast<size_t>(o)]);
      }
    for (MatmulPath p : paths_for(DType::F32)) {
      std::vector<float> y(static_cast<size_t>(tokens * out));
      linear(x.data(), tokens, w, bias.data(), y.data(), p);
      expect_close(y, ref.y, ref.magnitude, "F32 T=" + std::to_string(tokens) + " with bias, " + path_name(p));
    }
  }
}

// What the model computed before the stream path existed (sgemm on the converted f32 weights) and
// what it computes now agree to 1e-5 of the products' magnitude.
TEST(StreamMatmul, StreamPathMatchesTheGemmPath) {
  if (!kernels::stream_matmul_available(DType::BF16)) GTEST_SKIP() << "no AVX-512 on this CPU";
  uint32_t seed = 100;
  for (const Case& c : cases()) {
    const auto bytes = test::random_weight_bytes(c.dtype, c.out, c.in, seed++);
    const TensorView w = test::weight_view(bytes, c.dtype, c.out, c.in);
    const auto x = activations(c.tokens, c.in);
    const auto gemm = run(x, w, c.tokens, MatmulPath::gemm);
    const Reference ref = double_loop(x, w, c.tokens);
    const std::vector<double> gemm_d(gemm.begin(), gemm.end());
    expect_close(run(x, w, c.tokens, MatmulPath::stream), gemm_d, ref.magnitude, c.name());
  }
}

TEST(StreamMatmul, EveryDtypeAgainstPyTorch) {
  const std::string dir = test::scratch_dir("kernels_stream_matmul");
  std::ofstream list(dir + "/cases.txt");
  std::vector<std::pair<Case, std::vector<uint8_t>>> weights;
  uint32_t seed = 200;
  for (const Case& c : cases()) {
    if (c.out > 100) continue;  // the threaded shapes are covered above; keep the script quick
    weights.emplace_back(c, test::random_weight_bytes(c.dtype, c.out, c.in, seed++));
    write_bin(dir + "/" + c.name() + "_w.bin", weights.back().second);
    write_bin(dir + "/" + c.name() + "_x.bin", activations(c.tokens, c.in));
    list << c.name() << " " << dtype_name(c.dtype) << " " << c.out << " " << c.in << " " << c.tokens << "\n";
  }
  list.close();
  test::run_reference("kernels_matmul_ref.py", dir);
  for (const auto& [c, bytes] : weights) {
    const TensorView w = test::weight_view(bytes, c.dtype, c.out, c.in);
    const auto x = activations(c.tokens, c.in);
    const auto torch_y = read_f64(dir + "/" + c.name() + "_y.bin", static_cast<size_t>(c.tokens * c.out));
    const Reference ref = double_loop(x, w, c.tokens);
    for (MatmulPath p : paths_for(c.dtype)) expect_close(run(x, w, c.tokens, p), torch_y, ref.magnitude, c.name() + " " + path_name(p) + " vs torch");
  }
}

}  // namespace
}  // namespace osc
