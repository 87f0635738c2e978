// Forward passes from Python: run_with_cache (captures as numpy arrays over the engine's buffers)
// and run_with_hooks (Python functions and the built-in interventions on hook points). The GIL is
// released for the whole pass and re-taken only around a Python hook function.
#include "python/src/py_runs.h"

#include <cstring>

#include <pybind11/stl.h>

#include "core/error.h"
#include "hooks/hook_set.h"
#include "python/src/arrays.h"
#include "python/src/py_model.h"

namespace osc::python {
namespace {

// names_filter: None (every hook), a glob, a list of globs, or a callable name -> bool (asked
// once per hook point of the model before the pass).
void add_captures(const PyModel& self, const py::handle& names_filter, HookSet& hooks) {
  if (names_filter.is_none()) return hooks.capture_all();
  if (py::isinstance<py::str>(names_filter)) return hooks.capture(names_filter.cast<std::string>());
  if (PyCallable_Check(names_filter.ptr())) {
    for (const std::string& name : self.model->hook_names())
      if (names_filter(name).cast<bool>()) hooks.capture(name);
    return;
  }
  for (const py::handle& glob : names_filter) hooks.capture(py::str(glob).cast<std::string>());
}

// Calls fn(array, hook_name) with a float32 copy of the hook's tensor; the returned array (or the
// copy, edited in place, when fn returns None) becomes the tensor the rest of the pass sees.
HookCallback python_hook(py::function fn) {
  return [fn = std::move(fn)](const std::string& name, float* data, const Shape& shape) {
    py::gil_scoped_acquire gil;
    const std::vector<py::ssize_t> dims(shape.begin(), shape.end());
    py::array_t<float> array(dims);
    std::memcpy(array.mutable_data(), data, static_cast<size_t>(array.size()) * sizeof(float));
    const py::object result = fn(array, name);
    copy_hook_result(result.is_none() ? py::handle(array) : py::handle(result), name, data, shape);
  };
}

void add_python_hooks(const py::handle& fwd_hooks, HookSet& hooks) {
  for (const py::handle& pair : fwd_hooks) {
    const auto item = py::reinterpret_borrow<py::sequence>(pair);
    OSC_CHECK_INPUT(py::isinstance<py::sequence>(pair) && item.size() == 2 && PyCallable_Check(item[1].ptr()),
                    "fwd_hooks", "each entry must be a (hook name or glob, function) pair");
    hooks.call(py::str(item[0]).cast<std::string>(), python_hook(item[1].cast<py::function>()));
  }
}

void add_interventions(const std::vector<std::string>& specs, HookSet& hooks) {
  for (const std::string& spec : specs) hooks.intervene(parse_intervention(spec));
}

// Runs the pass without the GIL; returns logits [T, vocab] and the captures.
py::tuple run_pass(const PyModel& self, const std::vector<int32_t>& ids, HookSet& hooks, bool with_cache) {
  Tensor logits;
  {
    py::gil_scoped_release release;
    logits = self.model->forward(ids, hooks);
  }
  hooks.throw_if_unmatched("run");
  py::dict cache;
  if (with_cache)
    for (auto& [name, tensor] : hooks.take_captured()) cache[py::str(name)] = array_owning(std::move(tensor));
  return py::make_tuple(array_owning(std::move(logits)), cache);
}

py::tuple run_with_cache(const PyModel& self, const py::handle& input, const py::handle& names_filter,
                         const py::handle& fwd_hooks, const std::vector<std::string>& interventions,
                         std::optional<bool> bos) {
  const std::vector<int32_t> ids = self.ids_of(input, bos, "run_with_cache");
  HookSet hooks;
  add_captures(self, names_filter, hooks);
  add_interventions(interventions, hooks);
  add_python_hooks(fwd_hooks, hooks);
  return run_pass(self, ids, hooks, true);
}

py::object run_with_hooks(const PyModel& self, const py::handle& input, const py::handle& fwd_hooks,
                          const std::vector<std::string>& interventions, std::optional<bool> bos) {
  const std::vector<int32_t> ids = self.ids_of(input, bos, "run_with_hooks");
  HookSet hooks;
  add_interventions(interventions, hooks);
  add_python_hooks(fwd_hooks, hooks);
  return run_pass(self, ids, hooks, false)[0];
}

}  // namespace

void bind_runs(py::module_& m) {
  auto model = py::reinterpret_borrow<py::class_<PyModel>>(m.attr("Model"));
  model.def("run_with_cache", &run_with_cache, py::arg("input"), py::arg("names_filter") = py::none(),
            py::arg("fwd_hooks") = py::list(), py::arg("interventions") = std::vector<std::string>{},
            py::arg("bos") = py::none(),
            "One pass; returns (logits [T, vocab], {hook name: array}) with the arrays over the engine's buffers");
  model.def("run_with_hooks", &run_with_hooks, py::arg("input"), py::arg("fwd_hooks") = py::list(),
            py::arg("interventions") = std::vector<std::string>{}, py::arg("bos") = py::none(),
            "One pass with Python hook functions fn(array, hook_name) and interventions; returns the logits");
  model.def("__call__", [](const PyModel& self, const py::handle& input, std::optional<bool> bos) {
    return run_with_hooks(self, input, py::list(), {}, bos);
  }, py::arg("input"), py::arg("bos") = py::none(), "The logits [T, vocab] of one pass");
}

}  // namespace osc::python
