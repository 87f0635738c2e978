// nlohmann::json <-> Python objects, through the json text (exact for everything report.json holds).
#pragma once
#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

namespace osc::python {

namespace py = pybind11;

py::object to_python(const nlohmann::json& j);
nlohmann::json from_python(const py::handle& obj, const std::string& where);

}  // namespace osc::python
