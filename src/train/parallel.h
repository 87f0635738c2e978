// Fork-join parallelism of the training kernels: parallel_run(fn) calls fn(t, nt) on every thread
// of one OpenMP region. Kernels write one lambda per thread, so several products and the
// element-wise work around them (bias, residual, bias-gradient sums) share one region instead of a
// region each: a step of the 6-layer model runs ~110 regions instead of ~170, and no residual copy
// runs serially between them.
//
// The thread count is OpenMP's (omp_get_max_threads(), set by configure_threads), so --threads and
// OMP_NUM_THREADS keep their meaning. Work is split statically by thread index, so results are
// reproducible for a given thread count.
#pragma once
#include <cstdint>
#include <type_traits>

namespace osc::train {

namespace detail {
using RegionTask = void (*)(void* context, int thread, int threads);
void run_region(RegionTask task, void* context);
}  // namespace detail

// Threads that parallel_run uses (1 when called from inside a parallel region).
int parallel_threads();

// Calls fn(t, nt) for t = 0..nt-1, t = 0 on the calling thread, and returns when all calls have
// returned. fn must not throw. A call from inside a region (nesting) runs fn(0, 1) on the caller.
template <typename Fn>
void parallel_run(Fn&& fn) {
  using Callable = std::remove_reference_t<Fn>;
  detail::run_region([](void* context, int t, int nt) { (*static_cast<Callable*>(context))(t, nt); },
                     const_cast<void*>(static_cast<const void*>(&fn)));
}

// Thread t's share [begin, end) of [0, n) split into nt contiguous ranges.
inline int64_t share_begin(int64_t n, int t, int nt) { return n * t / nt; }
inline int64_t share_end(int64_t n, int t, int nt) { return n * (t + 1) / nt; }

// fn(begin, end) on each thread's contiguous share of [0, n).
template <typename Fn>
void parallel_for(int64_t n, Fn&& fn) {
  parallel_run([&](int t, int nt) {
    const int64_t begin = share_begin(n, t, nt), end = share_end(n, t, nt);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace osc::train
