// outlierscope._native: the engine as a Python extension (docs/python.md). The package's
// __init__.py re-exports it with a few pure-Python helpers.
#include <pybind11/pybind11.h>

#include "python/src/errors.h"
#include "python/src/py_analyses.h"
#include "python/src/py_model.h"
#include "python/src/py_runs.h"

PYBIND11_MODULE(_native, m) {
  m.doc() = "outlierscope: find systematic outliers in transformer LMs (native engine)";
  osc::python::bind_errors(m);
  osc::python::bind_model(m);
  osc::python::bind_runs(m);
  osc::python::bind_analyses(m);
}
