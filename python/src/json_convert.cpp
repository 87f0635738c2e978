#include "python/src/json_convert.h"

#include "core/error.h"

namespace osc::python {

py::object to_python(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

nlohmann::json from_python(const py::handle& obj, const std::string& where) {
  std::string text;
  try {
    text = py::module_::import("json").attr("dumps")(obj).cast<std::string>();
  } catch (const py::error_already_set& e) {
    throw_bad_input(where, std::string("not JSON-serialisable: ") + e.what());
  }
  return nlohmann::json::parse(text);
}

}  // namespace osc::python
