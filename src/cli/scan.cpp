// `outlierscope scan [MODEL] [--text T ...] [--file F ...] [--ids 1,2,3 ...] --out DIR [--figures]`:
// finds, locates and explains the systematic outliers of a model (weights, activations,
// attention, lifecycle, and with --ablate-file the perplexity ablation), prints a short summary
// and writes DIR/report.json (docs/report-schema.md) with CSV tables. Parts alone:
// `scan weights`, `scan attention`, `scan lifecycle`, `scan ablate`. Thresholds: docs/metrics.md.
// Under `mpirun -np N`, the layers are split over the ranks (docs/distributed.md).
#include <cctype>
#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>

#include "analysis/report.h"
#include "analysis/scan_pipeline.h"
#include "cli/command.h"
#include "cli/compute_option.h"
#include "cli/dist_options.h"
#include "core/error.h"
#include "core/option_domains.h"
#include "core/output_guard.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "model/default_model.h"
#include "pipeline/root_errors.h"
#include "pipeline/stage_scan.h"
#include "plot/figures.h"
#include "report/html_report.h"

namespace osc::cli {
namespace {

using namespace osc::analysis;

struct ScanArgs {
  std::string model, out;
  ScanInputs in;                        // id_lists and include_default come from the two below
  std::vector<std::string> id_lists;
  bool no_default = false, figures = false;
  std::string memory_budget = "auto";
  std::string act_rule = "gap", weight_rule = "relative";
  Thresholds t;
  double mpi_timeout = 0.0;
  std::string compute = "f32";
};

void add_options(CLI::App& app, ScanArgs& a, ScanPart part) {
  app.add_option("model", a.model, "Model: HF folder, .gguf or llama2.c .bin (default: the built-in models/default/)");
  app.add_option("--out,-o", a.out, "Output folder for report.json and the CSV tables (required)");
  app.add_flag("--figures", a.figures, "Also draw the figures (DIR/figures/) and DIR/report.html");
  app.add_option("--weight-rule", a.weight_rule, "Weight outlier rule: relative | absolute | both")->capture_default_str();
  app.add_option("--weight-k", a.t.weight.relative_to_median, "Relative rule: ratio >= k x the matrix's median column ratio")->capture_default_str();
  app.add_option("--weight-ratio", a.t.weight.ratio_min, "Absolute rule: column max/mean ratio >= this (An et al.)")->capture_default_str();
  add_compute_option(app, a.compute);
  add_mpi_timeout_option(app, a.mpi_timeout);
  app.add_option("--memory-budget", a.memory_budget,
                 "Bytes (suffix K, M, G: binary) the weights and captures may fill before each finished layer's "
                 "pages are given back; auto: the memory available at start")
      ->capture_default_str();
  if (part == ScanPart::Weights) return;
  app.add_option("--text,-t", a.in.texts, "Text to scan (repeatable)");
  app.add_option("--file,-f", a.in.files, "Text file to scan, cut into windows (repeatable)");
  app.add_option("--ids", a.id_lists, "Token ids to scan, comma-separated (repeatable)");
  app.add_flag("--no-default", a.no_default, "Do not scan the default prompt \"Summer is warm. Winter is cold.\\n\"");
  app.add_option("--max-tokens", a.in.max_tokens, "Tokens per file window (default: min(256, model context))");
  app.add_option("--max-windows", a.in.max_windows, "Windows per file")->capture_default_str();
  app.add_option("--act-rule", a.act_rule, "Activation outlier rule: gap | relative | absolute | both")->capture_default_str();
  app.add_option("--act-k", a.t.activation.relative_to_median, "Relative rule / gap floor: |x| >= k x the layer's median |x|")->capture_default_str();
  app.add_option("--act-gap", a.t.activation.gap_ratio, "Gap rule: outliers stand >= this x above the next-largest |x|")
      ->capture_default_str();
  app.add_option("--act-abs", a.t.activation.absolute_min, "Absolute rule / floor: |x| >= this (Sun et al.: 100)")->capture_default_str();
  app.add_option("--collapse", a.t.activation.collapse_fraction, "Disappearance: magnitude below this fraction of its peak")->capture_default_str();
  app.add_option("--attn-frac", a.t.attention.fraction_of_length, "Attention outlier: received >= frac x sequence length")->capture_default_str();
  app.add_option("--attn-uniform", a.t.attention.uniform_multiple, "and >= m x the uniform-attention share")->capture_default_str();
  if (part != ScanPart::All && part != ScanPart::Ablate) return;
  app.add_option("--ablate-file", a.in.ablate_files, "Text file for the perplexity ablation (repeatable; scan ablate: default --file)");
  app.add_option("--ablate-ctx", a.in.ablate_ctx, "Ablation window length in tokens (default: min(256, model context))");
  app.add_option("--ablate-windows", a.in.ablate_windows, "Ablation windows per file")->capture_default_str();
}

std::vector<int32_t> parse_ids(const std::string& list) {
  std::vector<int32_t> ids;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    try {
      size_t used = 0;
      const long v = std::stol(item, &used);
      OSC_CHECK_INPUT(used == item.size() && v >= 0 && v <= INT32_MAX, "--ids", "'" + item + "' is not a token id");
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::logic_error&) {
      throw_bad_input("--ids", "'" + item + "' is not a token id");
    }
  }
  return ids;
}

ScanInputs scan_inputs(const ScanArgs& a) {
  ScanInputs in = a.in;
  in.include_default = !a.no_default;
  for (const auto& list : a.id_lists) in.id_lists.push_back(parse_ids(list));
  return in;
}

// "auto" (unset: the memory available at start) or bytes, with an optional binary K/M/G/T suffix.
std::optional<uint64_t> parse_memory_budget(const std::string& text, const char* command) {
  if (text == "auto") return std::nullopt;
  const std::string units = "KMGT";
  const size_t unit = text.empty() ? std::string::npos : units.find(static_cast<char>(std::toupper(text.back())));
  const std::string digits = unit == std::string::npos ? text : text.substr(0, text.size() - 1);
  const bool all_digits = !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
  OSC_CHECK_INPUT(all_digits && digits.size() < 19, "--memory-budget",
                  "got '" + text + "'; must be auto or a number of bytes (suffix K, M, G or T)");
  const double bytes = std::stod(digits) * std::pow(1024.0, unit == std::string::npos ? 0 : unit + 1);
  check_option_value(command, "--memory-budget", bytes);
  return static_cast<uint64_t>(bytes);
}

// Draws DIR/figures and DIR/report.html; returns the number of figure files.
size_t draw_figures(const nlohmann::json& report, const std::string& dir) {
  plot::FigureOptions options;
  options.quiet = global_quiet();
  const auto written = plot::draw_report_figures(report, dir + "/figures", options);
  mark_output_folder(dir + "/figures", "plot");  // `outlierscope plot` may redraw them in place
  report::write_html_report(report, dir + "/report.html");
  return written.size();
}

// Every file the scan reads: a rerun may not write over any of them.
std::vector<std::string> files_read(const std::string& model, const ScanArgs& a) {
  std::vector<std::string> inputs = {model};
  inputs.insert(inputs.end(), a.in.files.begin(), a.in.files.end());
  inputs.insert(inputs.end(), a.in.ablate_files.begin(), a.in.ablate_files.end());
  return inputs;
}

// The options as the scan runs them; BadInput for a bad value.
ScanOptions scan_options(const ScanArgs& a, ScanPart part) {
  OSC_CHECK_INPUT(!a.out.empty(), scan_part_command(part), "--out DIR is required");
  ScanOptions options;
  options.part = part;
  options.thresholds = a.t;
  options.thresholds.activation.rule = rule_from_name(a.act_rule, "--act-rule", true);
  options.thresholds.weight.rule = rule_from_name(a.weight_rule, "--weight-rule");
  options.quiet = global_quiet();
  options.memory_budget = parse_memory_budget(a.memory_budget, scan_part_command(part));
  return options;
}

int run_scan_command(ScanArgs a, ScanPart part) {
  dist::Session session;  // under mpirun/srun: one stage of a layer-pipelined scan
  dist::set_wait_limit(a.mpi_timeout);
  ScanOptions options;
  ScanInputs inputs;
  pipeline::check_alike_on_every_rank([&] {  // every rank parses the same arguments: one error line
    options = scan_options(a, part);
    inputs = scan_inputs(a);
  });
  const std::string path = a.model.empty() ? default_model_dir("scan") : a.model;
  if (dist::size() > 1) pipeline::check_pipelined_scan(inputs, options);
  if (!dist::is_root()) {
    pipeline::stage_scan(pipeline::LayerPipeline(path, parse_compute(a.compute)), path, inputs, options);  // rank 0 writes the outputs
    return 0;
  }
  OutputFolder out(a.out, "scan", files_read(path, a), OutputFolder::Mode::Replace);
  const nlohmann::json report =
      dist::size() > 1 ? pipeline::stage_scan(pipeline::LayerPipeline(path, parse_compute(a.compute)), path, inputs, options)
                       : run_scan(load_model(path, a.compute), inputs, options);
  write_report_files(report, out.path());
  const size_t figures = a.figures ? draw_figures(report, out.path()) : 0;
  out.commit();
  std::cout << summary_text(report) << "wrote " << a.out << "/report.json\n";
  if (a.figures) std::cout << "wrote " << figures << " figures to " << a.out << "/figures and " << a.out << "/report.html\n";
  return 0;
}

CommandRegistration reg("scan", "Find, locate and explain the systematic outliers of a model (report.json + CSV)",
                        [](CLI::App& sub) -> std::function<int()> {
  auto all = std::make_shared<ScanArgs>();
  add_options(sub, *all, ScanPart::All);
  std::vector<std::pair<CLI::App*, std::shared_ptr<ScanArgs>>> parts;
  const std::vector<std::tuple<const char*, const char*, ScanPart>> subs = {
      {"weights", "Weight outliers only (no forward pass)", ScanPart::Weights},
      {"attention", "Attention outliers (sinks) only", ScanPart::Attention},
      {"lifecycle", "Activation outliers and their lifecycle", ScanPart::Lifecycle},
      {"ablate", "Perplexity with the outliers zeroed / set to their mean", ScanPart::Ablate}};
  std::vector<ScanPart> kinds;
  for (const auto& [name, description, kind] : subs) {
    auto args = std::make_shared<ScanArgs>();
    CLI::App* child = sub.add_subcommand(name, description);
    add_options(*child, *args, kind);
    parts.emplace_back(child, args);
    kinds.push_back(kind);
  }
  sub.require_subcommand(0, 1);
  return [all, parts, kinds]() {
    for (size_t i = 0; i < parts.size(); ++i)
      if (parts[i].first->parsed()) return run_scan_command(*parts[i].second, kinds[i]);
    return run_scan_command(*all, ScanPart::All);
  };
});

}  // namespace
}  // namespace osc::cli
