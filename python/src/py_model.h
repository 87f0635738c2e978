// The Python-side model: a loaded osc::Model shared with every run and array that needs it, and
// the text <-> ids helpers (tokenize, to_str_tokens, decode) named as in TransformerLens.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>

#include "model/model.h"

namespace osc::python {

namespace py = pybind11;

struct PyModel {
  std::shared_ptr<const Model> model;

  // Text -> ids: bos None = the model's own convention, True / False forces it.
  std::vector<int32_t> encode(const std::string& text, std::optional<bool> bos) const;
  // A str is encoded, anything else is taken as token ids.
  std::vector<int32_t> ids_of(const py::handle& text_or_ids, std::optional<bool> bos, const std::string& where) const;
};

void bind_model(py::module_& m);

}  // namespace osc::python
