// The CLI's errors as Python exceptions with the same message: bad input (exit status 2) raises
// outlierscope.InputError (a ValueError), a file that cannot be opened or read raises
// outlierscope.FileError (an OSError, and an InputError), internal failures outlierscope.InternalError
// (a RuntimeError).
#pragma once
#include <pybind11/pybind11.h>

namespace osc::python {

void bind_errors(pybind11::module_& m);

}  // namespace osc::python
