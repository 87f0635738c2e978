// Forward pass throughput of the instrumented engine capturing every hook point, on the model
// named by OSC_BENCH_MODEL (bench/run_forward.sh makes a GPT-2-124M-shaped one), at the token
// counts of the arguments. Counters: tokens/s and GFLOP/s (matmul FLOPs: 2·T·weights of every
// linear layer, plus 4·T²·d_model per layer for the attention products, full square, as the
// PyTorch peer computes them). OSC_BENCH_TOKENS replaces the token counts, OSC_BENCH_COMPUTE=bf16 runs
// the passes with --compute bf16 (a 7B in one process: OSC_BENCH_TOKENS=9,1024).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "bench_tokens.h"
#include "core/large_buffers.h"
#include "hooks/hook_set.h"
#include "kernels/blas_kernels.h"
#include "model/compute_precision.h"
#include "model/model.h"

namespace {

const osc::Model* bench_model() {
  static std::unique_ptr<osc::Model> model = [] {
    const char* path = std::getenv("OSC_BENCH_MODEL");
    if (!path) return std::unique_ptr<osc::Model>();
    auto m = std::make_unique<osc::Model>(osc::Model::load(path));
    if (const char* compute = std::getenv("OSC_BENCH_COMPUTE")) m->use_compute(osc::parse_compute(compute, "OSC_BENCH_COMPUTE"));
    m->forward(std::vector<int32_t>(8, 0));  // warm-up: pages of the mapped weights faulted in once
    return m;
  }();
  return model.get();
}

double forward_flops(const osc::ModelConfig& c, int64_t T) {
  const double d = static_cast<double>(c.d_model), ff = static_cast<double>(c.d_ff), t = static_cast<double>(T);
  const double q = static_cast<double>(c.n_heads * c.d_head), kv = static_cast<double>(c.n_kv_heads * c.d_head);
  const double per_layer_weights = d * (q + 2 * kv) + q * d + (c.gated_mlp ? 3 : 2) * d * ff;
  const double linear = 2 * t * (static_cast<double>(c.n_layers) * per_layer_weights + d * static_cast<double>(c.vocab_size));
  return linear + 4 * t * t * q * static_cast<double>(c.n_layers);
}

void BM_ForwardAllHooks(benchmark::State& state) {
  const osc::Model* model = bench_model();
  if (!model) {
    state.SkipWithError("set OSC_BENCH_MODEL to a checkpoint (bench/run_forward.sh does)");
    return;
  }
  const int64_t T = state.range(0);
  std::vector<int32_t> ids(static_cast<size_t>(T));
  for (int64_t i = 0; i < T; ++i) ids[i] = static_cast<int32_t>((i * 7919 + 13) % model->config().vocab_size);
  for (auto _ : state) {
    osc::HookSet hooks;
    hooks.capture_all();
    benchmark::DoNotOptimize(model->forward(ids, hooks));
  }
  state.counters["tokens_per_s"] = benchmark::Counter(static_cast<double>(T), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP_per_s"] =
      benchmark::Counter(forward_flops(model->config(), T) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void token_counts(benchmark::internal::Benchmark* b) {
  for (int64_t T : bench_token_counts({64, 256, 1024})) b->Arg(T);
}

BENCHMARK(BM_ForwardAllHooks)->Apply(token_counts)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// Before benchmark::benchmark_main's main (bench/CMakeLists.txt) runs the benchmarks.
[[maybe_unused]] const bool configured = [] {
  osc::keep_freed_memory_for_reuse();  // as the CLI does
  benchmark::AddCustomContext("blas_kernels", osc_blas_kernel_name());
  return true;
}();

}  // namespace
