// numpy arrays over the engine's buffers: an owned Tensor moved into the array's base object (no
// copy), and the checks on what a Python hook hands back.
#pragma once
#include <string>

#include <pybind11/numpy.h>

#include "core/tensor.h"

namespace osc::python {

namespace py = pybind11;

// A float32 array with `t`'s shape over `t`'s buffer; the Tensor lives on in the array's base
// object (a capsule) until the last view of it goes.
py::array_t<float> array_owning(Tensor&& t);
// A 1-D int32 array of the ids.
py::array_t<int32_t> ids_array(const std::vector<int32_t>& ids);
// Ids from a Python sequence / numpy array of ints; BadInput naming `where` for anything else.
std::vector<int32_t> ids_from_python(const py::handle& ids, const std::string& where);

// A hook's return value copied into data [shape]: it must be a float32 array of exactly that
// shape; BadInput naming the hook and what was returned otherwise.
void copy_hook_result(const py::handle& result, const std::string& hook_name, float* data, const Shape& shape);

}  // namespace osc::python
