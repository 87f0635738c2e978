#include "kernels/bf16_matmul.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <vector>

#include "core/error.h"
#include "kernels/bf16_round.h"
#include "kernels/matmul.h"

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

void add_bias(const float* bias, int64_t tokens, int64_t out, float* y) {
#pragma omp parallel for schedule(static) if (tokens * out > 65536)
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t o = 0; o < out; ++o) y[t * out + o] += bias[o];
}

}  // namespace

void dnnl_bf16_matmul(const float* x, int64_t tokens, const TensorView& w, float* y) {
  if (w.rank() != 2 || w.dtype != DType::BF16)
    throw_internal("dnnl_bf16_matmul", "weight must be a 2-D BF16 [out, in], got " +
                                           std::string(dtype_name(w.dtype)) + " " + shape_to_string(w.shape));
  const int64_t out = w.rows(), in = w.row_length();
  if (tokens == 0 || out == 0) return;
  std::vector<uint16_t> src = pack_bf16(x, tokens * in);  // [tokens, in]
  DnnlCpu& cpu = dnnl_cpu();
  // The weight [out, in] row-major is the [in, out] operand in column-major order (tag ba).
  const dnnl::memory::desc src_md({tokens, in}, dnnl_dt::bf16, dnnl_tag::ab);
  const dnnl::memory::desc wei_md({in, out}, dnnl_dt::bf16, dnnl_tag::ba);
  const dnnl::memory::desc dst_md({tokens, out}, dnnl_dt::f32, dnnl_tag::ab);
  const dnnl::matmul product(dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, wei_md, dst_md), cpu.engine));
  dnnl::memory src_m(src_md, cpu.engine, src.data());
  dnnl::memory wei_m(wei_md, cpu.engine, const_cast<void*>(w.data));  // read only: oneDNN never writes weights
  dnnl::memory dst_m(dst_md, cpu.engine, y);
  product.execute(cpu.stream, {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_WEIGHTS, wei_m}, {DNNL_ARG_DST, dst_m}});
  cpu.stream.wait();
}

void linear_bf16(const float* x, int64_t tokens, const TensorView& w, const float* bias, float* y) {
  if (tokens <= kStreamTokens || w.dtype != DType::BF16 || w.rank() != 2) return linear(x, tokens, w, bias, y);
  dnnl_bf16_matmul(x, tokens, w, y);
  if (bias) add_bias(bias, tokens, w.rows(), y);
}

}  // namespace osc
