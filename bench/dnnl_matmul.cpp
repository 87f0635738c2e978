// oneDNN's matmul (Debian libdnnl, what PyTorch runs for bf16 linear layers on CPU) at the shapes
// of bench/matmul_bench.cpp, for the comparison in docs/benchmarks.md:
//   f32:  f32 activations x f32 weights (against OpenBLAS sgemm, our gemm path);
//   bf16: activations rounded to bf16 x bf16 weights, f32 results: oneDNN 2.6 has no f32 x bf16
//         matmul, so this is the Hugging Face bf16 computation, not our f32-activation one.
// Weights are used in place in their stored [out, in] layout (format tag `ba` of the [in, out]
// weight) as our kernels use the mapped file, and rotated over 256 MiB of copies like
// matmul_bench, so they come from memory. F32packed reorders each f32 copy once into the blocked
// layout oneDNN picks for the product (format tag `any`): what keeping a second, packed copy of a
// model's weights would buy. Shapes and token counts as matmul_bench (OSC_BENCH_SHAPES,
// OSC_BENCH_TOKENS).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

#include "bench_shapes.h"
#include "bench_tokens.h"

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

constexpr uint64_t kCopiesBytes = uint64_t{256} << 20;

// Weight copies filling kCopiesBytes (at most 64), values ~1e-2 .. 1 in either dtype.
std::vector<std::vector<uint8_t>> weight_copies(size_t weight_bytes) {
  std::vector<std::vector<uint8_t>> copies;
  for (uint64_t total = 0; total < kCopiesBytes && copies.size() < 64; total += weight_bytes) {
    copies.emplace_back(weight_bytes);
    for (size_t i = 0; i < weight_bytes; i += 2) copies.back()[i + 1] = static_cast<uint8_t>(0x3c + (i >> 1) % 3);
  }
  return copies;
}

void BM_Dnnl(benchmark::State& state, dt type, bool packed) {
  const int64_t out = state.range(0), in = state.range(1), tokens = state.range(2);
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const dnnl::memory::desc src_md({tokens, in}, type, tag::ab), wei_md({in, out}, type, tag::ba),
      dst_md({tokens, out}, dt::f32, tag::ab);
  const dnnl::memory::desc wanted_md = packed ? dnnl::memory::desc({in, out}, type, tag::any) : wei_md;
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, wanted_md, dst_md), engine);
  const dnnl::matmul prim(pd);
  const size_t element = type == dt::f32 ? 4 : 2;
  const size_t weight_bytes = static_cast<size_t>(out * in) * element;
  std::vector<std::vector<uint8_t>> copies = weight_copies(weight_bytes);
  std::vector<dnnl::memory> weights;  // each copy as the product reads it: in place, or packed once
  for (auto& copy : copies) {
    dnnl::memory stored(wei_md, engine, copy.data());
    if (!packed) {
      weights.push_back(stored);
      continue;
    }
    dnnl::memory blocked(pd.weights_desc(), engine);
    dnnl::reorder(stored, blocked).execute(stream, stored, blocked);
    stream.wait();
    weights.push_back(blocked);
  }
  if (packed) copies.clear();
  std::vector<uint8_t> src(static_cast<size_t>(tokens * in) * element, 0x3c);
  std::vector<float> dst(static_cast<size_t>(tokens * out));
  dnnl::memory src_m(src_md, engine, src.data()), dst_m(dst_md, engine, dst.data());
  size_t next = 0;
  for (auto _ : state) {
    prim.execute(stream, {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, weights[next]}, {DNNL_ARG_DST, dst_m}});
    stream.wait();
    next = (next + 1) % weights.size();
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(tokens * out * in) * iterations,
                                                 benchmark::Counter::kIsRate);
  state.counters["GB/s"] = benchmark::Counter(1e-9 * static_cast<double>(weight_bytes) * iterations,
                                              benchmark::Counter::kIsRate);
}

void shapes(benchmark::internal::Benchmark* b) {
  for (int64_t tokens : bench_token_counts({1, 9, 512}))
    for (const auto& [out, in] : bench_weight_shapes({{4096, 4096}, {11008, 4096}})) b->Args({out, in, tokens});
  b->ArgNames({"out", "in", "T"})->Unit(benchmark::kMillisecond);
  if (std::getenv("OSC_BENCH_CPU_TIME")) b->MeasureProcessCPUTime();  // as in matmul_bench
  else b->UseRealTime();
}

BENCHMARK_CAPTURE(BM_Dnnl, F32, dt::f32, false)->Name("Dnnl/F32")->Apply(shapes);
BENCHMARK_CAPTURE(BM_Dnnl, F32packed, dt::f32, true)->Name("Dnnl/F32packed")->Apply(shapes);
BENCHMARK_CAPTURE(BM_Dnnl, BF16xBF16, dt::bf16, false)->Name("Dnnl/BF16xBF16")->Apply(shapes);

}  // namespace
