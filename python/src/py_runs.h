#pragma once
#include <pybind11/pybind11.h>

namespace osc::python {

// Adds run_with_cache, run_with_hooks and __call__ to outlierscope.Model (bind_model first).
void bind_runs(pybind11::module_& m);

}  // namespace osc::python
