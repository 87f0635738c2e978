#include "kernels/dnnl_matmul.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/bf16_round.h"

namespace osc {
namespace {

using dnnl_dt = dnnl::memory::data_type;
using dnnl_tag = dnnl::memory::format_tag;

// One CPU engine and stream for the process; oneDNN caches the primitives per shape itself.
struct DnnlCpu {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

DnnlCpu& dnnl_cpu() {
  static DnnlCpu cpu;
  return cpu;
}

void check_weight(const char* who, const TensorView& w, DType dtype) {
  if (w.rank() != 2 || w.dtype != dtype)
    throw_internal(who, "weight must be a 2-D " + std::string(dtype_name(dtype)) + " [out, in], got " +
                            std::string(dtype_name(w.dtype)) + " " + shape_to_string(w.shape));
}

// x [n] f32 holding bf16 values -> their bf16 bits (the top halves after rounding to nearest).
std::vector<uint16_t> pack_bf16(const float* x, int64_t n) {
  std::vector<uint16_t> packed(static_cast<size_t>(n));
#pragma omp parallel for schedule(static) if (n > 262144)
  for (int64_t i = 0; i < n; ++i) {
    const float r = round_bf16(x[i]);
    uint32_t bits;
    std::memcpy(&bits, &r, 4);
    packed[static_cast<size_t>(i)] = static_cast<uint16_t>(bits >> 16);
  }
  return packed;
}

// y [tokens, out] f32 = src [tokens, in] (of `type`) · w (+ bias [out] f32).
void run_matmul(const void* src, dnnl_dt type, int64_t tokens, const TensorView& w, const float* bias, float* y) {
  const int64_t out = w.rows(), in = w.row_length();
  DnnlCpu& cpu = dnnl_cpu();
  const dnnl::memory::desc src_md({tokens, in}, type, dnnl_tag::ab);
  // The weight [out, in] row-major is the [in, out] operand in column-major order (tag ba).
  const dnnl::memory::desc wei_md({in, out}, type, dnnl_tag::ba);
  const dnnl::memory::desc bias_md = bias ? dnnl::memory::desc({1, out}, dnnl_dt::f32, dnnl_tag::ab) : dnnl::memory::desc();
  const dnnl::memory::desc dst_md({tokens, out}, dnnl_dt::f32, dnnl_tag::ab);
  const dnnl::matmul product(
      dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, wei_md, bias_md, dst_md), cpu.engine));
  // Read only: oneDNN never writes its source, weights or bias.
  dnnl::memory src_m(src_md, cpu.engine, const_cast<void*>(src));
  dnnl::memory wei_m(wei_md, cpu.engine, const_cast<void*>(w.data));
  dnnl::memory dst_m(dst_md, cpu.engine, y);
  if (bias) {
    dnnl::memory bias_m(bias_md, cpu.engine, const_cast<float*>(bias));
    product.execute(cpu.stream, {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_BIAS, bias_m}, {DNNL_ARG_DST, dst_m}});
  } else {
    product.execute(cpu.stream, {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_DST, dst_m}});
  }
  cpu.stream.wait();
}

}  // namespace

void dnnl_linear_f32(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y) {
  check_weight("dnnl_linear_f32", w, DType::F32);
  if (tokens == 0 || w.rows() == 0) return;
  run_matmul(x, dnnl_dt::f32, tokens, w, bias, y);
}

void dnnl_linear_bf16(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y) {
  check_weight("dnnl_linear_bf16", w, DType::BF16);
  if (tokens == 0 || w.rows() == 0) return;
  const std::vector<uint16_t> src = pack_bf16(x, tokens * w.row_length());  // [tokens, in]
  run_matmul(src.data(), dnnl_dt::bf16, tokens, w, bias, y);
}

}  // namespace osc
