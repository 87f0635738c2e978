// linear() over stored weights at LLaMA-7B shapes ([4096, 4096] attention, [11008, 4096] MLP up /
// gate), for each dtype and path, T = 1, 9 and 512 tokens (or OSC_BENCH_TOKENS). Counters: GFLOP/s (2·T·out·in) and
// GB/s of weights read (their stored bytes once per product). Each iteration uses the next of
// enough weight copies to fill 256 MiB, so the weights come from memory, not from the 32 MiB L3.
// Compare with bench/fma_peak.c and bench/stream_triad.c (docs/benchmarks.md). With
// OSC_BENCH_CPU_TIME set, rates are per CPU-second of the process instead of per wall second.
// OSC_BENCH_SHAPES replaces the [out, in] shapes (bench_shapes.h).
//   build/matmul_bench --benchmark_filter='BF16' --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "bench_shapes.h"
#include "bench_tokens.h"
#include "kernels/matmul.h"
#include "support/random_weights.h"

namespace {

using osc::DType;
using osc::MatmulPath;

constexpr uint64_t kCopiesBytes = uint64_t{256} << 20;

void BM_Linear(benchmark::State& state, DType dtype, MatmulPath path) {
  const int64_t out = state.range(0), in = state.range(1), tokens = state.range(2);
  std::vector<std::vector<uint8_t>> copies;
  uint64_t total = 0;
  do {
    copies.push_back(osc::test::random_weight_bytes(dtype, out, in, static_cast<uint32_t>(copies.size())));
    total += copies.back().size();
  } while (total < kCopiesBytes && copies.size() < 64);
  std::vector<float> x(static_cast<size_t>(tokens * in)), y(static_cast<size_t>(tokens * out));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 97) * 0.01f - 0.5f;
  size_t next = 0;
  for (auto _ : state) {
    osc::linear(x.data(), tokens, osc::test::weight_view(copies[next], dtype, out, in), nullptr, y.data(), path);
    benchmark::DoNotOptimize(y.data());
    next = (next + 1) % copies.size();
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(tokens * out * in) * iterations,
                                                 benchmark::Counter::kIsRate);
  state.counters["GB/s"] = benchmark::Counter(1e-9 * static_cast<double>(copies[0].size()) * iterations,
                                              benchmark::Counter::kIsRate);
}

void shapes(benchmark::internal::Benchmark* b) {
  for (int64_t tokens : bench_token_counts({1, 9, 512}))
    for (const auto& [out, in] : bench_weight_shapes({{4096, 4096}, {11008, 4096}})) b->Args({out, in, tokens});
  b->ArgNames({"out", "in", "T"})->Unit(benchmark::kMillisecond);
  // On a machine shared with other jobs wall time measures the queue for the cores; then rates per
  // CPU-second of this process (all threads) say what the kernel does with the time it gets.
  if (std::getenv("OSC_BENCH_CPU_TIME")) b->MeasureProcessCPUTime();
  else b->UseRealTime();
}

void register_all() {
  const std::vector<std::pair<std::string, DType>> dtypes = {
      {"F32", DType::F32},   {"BF16", DType::BF16}, {"F16", DType::F16},   {"Q8_0", DType::Q8_0},
      {"Q4_0", DType::Q4_0}, {"Q4_K", DType::Q4_K}, {"Q5_K", DType::Q5_K}, {"Q6_K", DType::Q6_K}};
  const std::vector<std::pair<std::string, MatmulPath>> paths = {
      {"auto", MatmulPath::automatic}, {"stream", MatmulPath::stream}, {"dnnl", MatmulPath::dnnl}, {"gemm", MatmulPath::gemm}};
  for (const auto& [dtype_name, dtype] : dtypes)
    for (const auto& [path_name, path] : paths) {
      if (path == MatmulPath::dnnl && dtype != DType::F32) continue;  // oneDNN's path takes F32 weights only
      benchmark::RegisterBenchmark(("Linear/" + dtype_name + "/" + path_name).c_str(),
                                   [dtype = dtype, path = path](benchmark::State& s) { BM_Linear(s, dtype, path); })
          ->Apply(shapes);
    }
}

// Registered as the program starts; benchmark::benchmark_main runs them (bench/CMakeLists.txt).
[[maybe_unused]] const bool registered = (register_all(), true);

}  // namespace
