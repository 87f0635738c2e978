// The analyses as Python calls, each one library call shared with the CLI: scan
// (analysis::run_scan), its outputs (report files, figures, report.html), perplexity and training.
#include "python/src/py_analyses.h"

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "analysis/perplexity.h"
#include "analysis/report.h"
#include "analysis/scan_pipeline.h"
#include "core/error.h"
#include "core/option_domains.h"
#include "plot/figures.h"
#include "python/src/json_convert.h"
#include "python/src/py_model.h"
#include "report/html_report.h"
#include "train/trainer.h"

namespace osc::python {
namespace {

using namespace osc::analysis;
using namespace pybind11::literals;

// A keyword argument's CLI option name: act_k -> act-k.
std::string dashed(std::string name) {
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

ScanPart part_from_name(const std::string& name) {
  for (ScanPart p : {ScanPart::All, ScanPart::Weights, ScanPart::Attention, ScanPart::Lifecycle, ScanPart::Ablate}) {
    const std::string command = scan_part_command(p);
    if (name == command || name == command.substr(command.find(' ') + 1)) return p;
  }
  throw_bad_input("scan", "part must be all, weights, attention, lifecycle or ablate, got '" + name + "'");
}

py::object scan(const PyModel& self, const std::vector<std::string>& texts, const std::vector<std::string>& files,
                const std::vector<std::vector<int32_t>>& ids, bool include_default, const std::string& part,
                const py::kwargs& kwargs) {
  ScanInputs in;
  in.include_default = include_default;
  in.texts = texts;
  in.files = files;
  in.id_lists = ids;
  ScanOptions options;
  options.part = part == "all" ? ScanPart::All : part_from_name(part);
  Thresholds& t = options.thresholds;
  for (const auto& [key, value] : kwargs) {
    const std::string k = key.cast<std::string>();
    // Numbers are held to the CLI's domains (core/option_domains.cpp): scan's option of the same name.
    const std::string option = "--" + dashed(k);
    const bool number = !py::isinstance<py::bool_>(value) && (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value));
    if (number && find_option_domain("scan", option) != nullptr) check_option_value("scan", option, value.cast<double>());
    if (k == "max_tokens") in.max_tokens = value.cast<int64_t>();
    else if (k == "max_windows") in.max_windows = value.cast<int64_t>();
    else if (k == "ablate_files") in.ablate_files = value.cast<std::vector<std::string>>();
    else if (k == "ablate_ctx") in.ablate_ctx = value.cast<int64_t>();
    else if (k == "ablate_windows") in.ablate_windows = value.cast<int64_t>();
    else if (k == "act_rule") t.activation.rule = rule_from_name(value.cast<std::string>(), "act_rule", true);
    else if (k == "act_gap") t.activation.gap_ratio = value.cast<double>();
    else if (k == "act_k") t.activation.relative_to_median = value.cast<double>();
    else if (k == "act_abs") t.activation.absolute_min = value.cast<double>();
    else if (k == "collapse") t.activation.collapse_fraction = value.cast<double>();
    else if (k == "attn_frac") t.attention.fraction_of_length = value.cast<double>();
    else if (k == "attn_uniform") t.attention.uniform_multiple = value.cast<double>();
    else if (k == "weight_rule") t.weight.rule = rule_from_name(value.cast<std::string>(), "weight_rule");
    else if (k == "weight_k") t.weight.relative_to_median = value.cast<double>();
    else if (k == "weight_ratio") t.weight.ratio_min = value.cast<double>();
    else if (k == "quiet") options.quiet = value.cast<bool>();
    else throw_bad_input("scan", "unknown option '" + k + "' (the CLI's scan options with _ for -)");
  }
  nlohmann::json report;
  {
    py::gil_scoped_release release;
    report = run_scan(*self.model, in, options);
  }
  return to_python(report);
}

void write_report(const py::handle& report, const std::string& out_dir) {
  write_report_files(from_python(report, "report"), out_dir);
}

std::vector<std::string> plot(const py::handle& report, const std::string& out_dir,
                              const std::vector<std::string>& formats, bool html) {
  const nlohmann::json doc = from_python(report, "report");
  plot::FigureOptions options;
  options.formats = formats;
  options.quiet = true;
  options.source = "report";
  py::gil_scoped_release release;
  std::vector<std::string> written = plot::draw_report_figures(doc, out_dir, options);
  if (html) {
    written.push_back(out_dir + "/report.html");
    report::write_html_report(doc, written.back(), "report");
  }
  return written;
}

py::object perplexity(const PyModel& self, const std::string& file, int64_t ctx, const std::string& convention,
                      int64_t stride) {
  PerplexityResult r;
  {
    py::gil_scoped_release release;
    r = file_perplexity(*self.model, file, PerplexityOptions{ctx, stride, convention, false});
  }
  return to_python(perplexity_json(r, self.model->path(), file));
}

// The CLI's train options by their option names (--grad-accum -> grad_accum).
void set_train_option(train::TrainOptions& o, const std::string& k, const py::handle& v) {
  if (k == "variant") o.variant = v.cast<std::string>();
  else if (k == "layers") o.layers = v.cast<int64_t>();
  else if (k == "heads") o.heads = v.cast<int64_t>();
  else if (k == "dim") o.dim = v.cast<int64_t>();
  else if (k == "ctx") o.context = v.cast<int64_t>();
  else if (k == "bias") o.bias = v.cast<bool>();
  else if (k == "batch") o.batch = v.cast<int64_t>();
  else if (k == "grad_accum") o.grad_accum = v.cast<int64_t>();
  else if (k == "steps") o.steps = v.cast<int64_t>();
  else if (k == "lr") o.lr = v.cast<double>();
  else if (k == "warmup") o.warmup = v.cast<int64_t>();
  else if (k == "weight_decay") o.adamw.weight_decay = v.cast<double>();
  else if (k == "beta1") o.adamw.beta1 = v.cast<double>();
  else if (k == "beta2") o.adamw.beta2 = v.cast<double>();
  else if (k == "grad_clip") o.grad_clip = v.cast<double>();
  else if (k == "eval_every") o.eval_every = v.cast<int64_t>();
  else if (k == "eval_batches") o.eval_batches = v.cast<int64_t>();
  else if (k == "ckpt_every") o.ckpt_every = v.cast<int64_t>();
  else if (k == "seed") o.seed = v.cast<uint64_t>();
  else if (k == "threads") o.threads = v.cast<int>();
  else if (k == "stop_at") o.stop_at = v.cast<int64_t>();
  else if (k == "resume") o.resume = v.cast<bool>();
  else if (k == "quiet") o.quiet = v.cast<bool>();
  else throw_bad_input("train", "unknown option '" + k + "' (the CLI's train options with _ for -)");
}

std::string train_run(const std::string& data, const std::string& out, const py::object& progress,
                      const py::kwargs& kwargs) {
  train::TrainOptions o;
  o.data_dir = data;
  o.run_dir = out;
  o.quiet = true;
  for (const auto& [key, value] : kwargs) set_train_option(o, key.cast<std::string>(), value);
  train::StepCallback on_step;
  if (!progress.is_none())
    on_step = [&progress](const train::StepReport& s) {
      py::gil_scoped_acquire gil;
      py::dict d("step"_a = s.step, "steps"_a = s.steps, "loss"_a = s.loss, "val_loss"_a = s.val_loss,
                 "lr"_a = s.lr, "grad_norm"_a = s.grad_norm, "tokens_per_s"_a = s.tokens_per_second);
      progress(d);
    };
  py::gil_scoped_release release;
  train::run_training(o, on_step);
  return out;
}

}  // namespace

void bind_analyses(py::module_& m) {
  m.def("scan", &scan, py::arg("model"), py::kw_only(), py::arg("texts") = std::vector<std::string>{},
        py::arg("files") = std::vector<std::string>{}, py::arg("ids") = std::vector<std::vector<int32_t>>{},
        py::arg("include_default") = true, py::arg("part") = "all",
        "The scan report (docs/report-schema.md) as a dict; options and thresholds as the CLI's scan");
  m.def("write_report", &write_report, py::arg("report"), py::arg("out_dir"),
        "OUT_DIR/report.json and the CSV tables, as `outlierscope scan --out` writes them");
  m.def("plot", &plot, py::arg("report"), py::arg("out_dir"), py::arg("formats") = std::vector<std::string>{"png"},
        py::arg("html") = true, "Draw the report's figures (and report.html) into out_dir; returns the paths");
  m.def("perplexity", &perplexity, py::arg("model"), py::arg("file"), py::arg("ctx"), py::arg("convention") = "paper",
        py::arg("stride") = 0,
        "Perplexity of a text file in windows of ctx tokens, non-overlapping or every `stride` tokens (dict as `perplexity --json`)");
  m.def("train", &train_run, py::arg("data"), py::arg("out"), py::arg("progress") = py::none(),
        "Train a GPT-2-style model (options as the CLI's train); progress(dict) after each step; returns the run folder");
}

}  // namespace osc::python
