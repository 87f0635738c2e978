#include "python/src/py_model.h"

#include <pybind11/stl.h>

#include "model/default_model.h"
#include "python/src/arrays.h"
#include "python/src/json_convert.h"

namespace osc::python {

std::vector<int32_t> PyModel::encode(const std::string& text, std::optional<bool> bos) const {
  if (!bos) return model->encode(text);
  return model->require_tokenizer().encode(text, *bos);
}

std::vector<int32_t> PyModel::ids_of(const py::handle& text_or_ids, std::optional<bool> bos,
                                     const std::string& where) const {
  if (py::isinstance<py::str>(text_or_ids)) return encode(text_or_ids.cast<std::string>(), bos);
  return ids_from_python(text_or_ids, where);
}

namespace {

// Decoded text as str; a token that ends inside a UTF-8 character shows U+FFFD (as
// TransformerLens's to_str_tokens does) instead of raising UnicodeDecodeError.
py::str utf8_text(const std::string& bytes) {
  return py::reinterpret_steal<py::str>(
      PyUnicode_DecodeUTF8(bytes.data(), static_cast<py::ssize_t>(bytes.size()), "replace"));
}

PyModel load(const std::optional<std::string>& path) {
  const std::string where = path ? *path : default_model_dir("load");
  py::gil_scoped_release release;
  return PyModel{std::make_shared<const Model>(Model::load(where))};
}

// TransformerLens's to_str_tokens: each token decoded on its own.
py::list to_str_tokens(const PyModel& self, const py::handle& text_or_ids, std::optional<bool> bos) {
  const Tokenizer& tokenizer = self.model->require_tokenizer();
  py::list out;
  for (int32_t id : self.ids_of(text_or_ids, bos, "to_str_tokens")) out.append(utf8_text(tokenizer.decode({id})));
  return out;
}

}  // namespace

void bind_model(py::module_& m) {
  py::class_<PyModel>(m, "Model", "A checkpoint bound to its architecture (see outlierscope.load)")
      .def_property_readonly("config", [](const PyModel& self) { return to_python(model_config_to_json(self.model->config())); },
                             "The normalised hyper-parameters (dict)")
      .def_property_readonly("path", [](const PyModel& self) { return self.model->path(); })
      .def("hook_names", [](const PyModel& self) { return self.model->hook_names(); },
           "Every hook point of a forward pass, in the order they are reached")
      .def("tokenize", [](const PyModel& self, const std::string& text, std::optional<bool> bos) {
             return ids_array(self.encode(text, bos));
           }, py::arg("text"), py::arg("bos") = py::none(),
           "Text -> int32 ids; bos None: the model's convention, True/False: force")
      .def("to_str_tokens", &to_str_tokens, py::arg("text_or_ids"), py::arg("bos") = py::none(),
           "Each token decoded on its own (TransformerLens's to_str_tokens)")
      .def("decode", [](const PyModel& self, const py::handle& ids) {
             return utf8_text(self.model->require_tokenizer().decode(ids_from_python(ids, "decode")));
           }, py::arg("ids"))
      .def("__repr__", [](const PyModel& self) {
        const ModelConfig& c = self.model->config();
        return "<outlierscope.Model " + c.architecture + " " + std::to_string(c.n_layers) + " layers d_model " +
               std::to_string(c.d_model) + " from " + self.model->path() + ">";
      });
  m.def("load", &load, py::arg("path") = py::none(),
        "Load a model: HF folder, .gguf or llama2.c .bin (None: the built-in default model)");
}

}  // namespace osc::python
