#pragma once
#include <pybind11/pybind11.h>

namespace osc::python {

// scan, write_report, plot, perplexity and train.
void bind_analyses(pybind11::module_& m);

}  // namespace osc::python
