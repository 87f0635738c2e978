#include "python/src/errors.h"

#include "core/error.h"

namespace osc::python {

namespace py = pybind11;

void bind_errors(py::module_& m) {
  static py::exception<Error> input_error(m, "InputError", PyExc_ValueError);
  static py::exception<Error> internal_error(m, "InternalError", PyExc_RuntimeError);
  // FileError(OSError, InputError): `except OSError` and `except ValueError` both catch it.
  // Kept for the life of the process (a static py::object would be released after the interpreter).
  static PyObject* file_error = PyErr_NewException(
      "outlierscope._native.FileError", py::make_tuple(py::handle(PyExc_OSError), input_error).ptr(), nullptr);
  m.attr("FileError") = py::handle(file_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const FileError& e) {
      PyErr_SetString(file_error, e.what());
    } catch (const Error& e) {
      PyErr_SetString(e.kind() == ErrorKind::BadInput ? input_error.ptr() : internal_error.ptr(), e.what());
    }
  });
}

}  // namespace osc::python
