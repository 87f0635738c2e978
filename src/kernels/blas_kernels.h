// Which OpenBLAS kernels run our GEMMs. Debian's OpenBLAS is built with DYNAMIC_ARCH and picks its
// kernels from the CPU model at load time; 0.3.21 does not know recent Xeons (in VMs they report a
// bare "Intel(R) Xeon(R) Processor") and falls back to the generic SSE3 "Prescott" kernels, 4-5x
// slower than its AVX-512 ones. At program start we re-select from the CPU's feature flags instead,
// unless the user chose with OPENBLAS_CORETYPE.
#pragma once

namespace osc {

// OpenBLAS on one thread: our kernels split the work over OpenMP threads themselves (one pool for
// the whole program), and two thread pools on few cores spin against each other. Done at program
// start, and again where threads are set up (the trainer).
void keep_blas_single_threaded();

}  // namespace osc

// The OpenBLAS kernel family in use (e.g. "SkylakeX"), for logs and benchmark reports. A C name:
// CMake forces it into every program that links osc_kernels, which links the re-selection with it.
extern "C" const char* osc_blas_kernel_name();
