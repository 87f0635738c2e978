// What the CPU running us can do, asked once at run time. The build may target a baseline CPU
// (OUTLIERSCOPE_NATIVE=OFF): kernels compiled for wider instruction sets (function target
// attributes) are only entered when these say the CPU has them.
#pragma once

namespace osc::kernels {

struct CpuFeatures {
  bool avx512 = false;       // AVX-512 F + BW: 16-lane f32 FMA, 16-bit masked loads, f16 -> f32
  bool avx512_bf16 = false;  // vdpbf16ps: bf16 pair dot products into f32
};

const CpuFeatures& cpu_features();

}  // namespace osc::kernels
