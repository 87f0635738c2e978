#include "python/src/arrays.h"

#include <cstring>

#include "core/error.h"

namespace osc::python {
namespace {

std::vector<py::ssize_t> strides_of(const Shape& shape) {
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t step = sizeof(float);
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = step;
    step *= static_cast<py::ssize_t>(shape[i]);
  }
  return strides;
}

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

std::string shape_text(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

py::array_t<float> array_owning(Tensor&& t) {
  auto* owned = new Tensor(std::move(t));
  py::capsule base(owned, [](void* p) { delete static_cast<Tensor*>(p); });
  const std::vector<py::ssize_t> shape(owned->shape.begin(), owned->shape.end());
  return py::array_t<float>(shape, strides_of(owned->shape), owned->ptr(), base);
}

py::array_t<int32_t> ids_array(const std::vector<int32_t>& ids) {
  py::array_t<int32_t> out(static_cast<py::ssize_t>(ids.size()));
  if (!ids.empty()) std::memcpy(out.mutable_data(), ids.data(), ids.size() * sizeof(int32_t));
  return out;
}

std::vector<int32_t> ids_from_python(const py::handle& ids, const std::string& where) {
  const py::array a = py::array::ensure(ids);
  const char kind = a ? a.dtype().kind() : '?';
  OSC_CHECK_INPUT(a && a.ndim() == 1 && (a.size() == 0 || kind == 'i' || kind == 'u'), where,
                  "token ids must be a 1-D sequence of integers");
  const auto as64 = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  std::vector<int32_t> out;
  out.reserve(static_cast<size_t>(as64.size()));
  for (py::ssize_t i = 0; i < as64.size(); ++i) {
    const int64_t v = as64.data()[i];
    OSC_CHECK_INPUT(v >= 0 && v <= INT32_MAX, where, "'" + std::to_string(v) + "' is not a token id");
    out.push_back(static_cast<int32_t>(v));
  }
  return out;
}

void copy_hook_result(const py::handle& result, const std::string& hook_name, float* data, const Shape& shape) {
  const std::string where = "hook '" + hook_name + "'";
  OSC_CHECK_INPUT(py::isinstance<py::array>(result), where,
                  "the hook function returned " + std::string(py::str(py::type::of(result).attr("__name__"))) +
                      ", expected None or a float32 numpy array of shape " + shape_text(shape));
  const auto a = py::reinterpret_borrow<py::array>(result);
  OSC_CHECK_INPUT(a.dtype().is(py::dtype::of<float>()), where,
                  "the hook function returned a " + std::string(py::str(a.dtype())) + " array, expected float32");
  bool same_shape = a.ndim() == static_cast<py::ssize_t>(shape.size());
  for (py::ssize_t i = 0; same_shape && i < a.ndim(); ++i) same_shape = a.shape(i) == shape[static_cast<size_t>(i)];
  OSC_CHECK_INPUT(same_shape, where,
                  "the hook function returned shape " + shape_text(a) + ", expected " + shape_text(shape));
  const auto contiguous = py::array_t<float, py::array::c_style>::ensure(a);
  if (contiguous.data() != data) std::memcpy(data, contiguous.data(), static_cast<size_t>(contiguous.size()) * sizeof(float));
}

}  // namespace osc::python
