// `outlierscope scan [MODEL] [--text T ...] [--file F ...] [--ids 1,2,3 ...] --out DIR [--figures]`:
// finds, locates and explains the systematic outliers of a model (weights, activations,
// attention, lifecycle, and with --ablate-file the perplexity ablation), prints a short summary
// and writes DIR/report.json (docs/report-schema.md) with CSV tables. Parts alone:
// `scan weights`, `scan attention`, `scan lifecycle`, `scan ablate`. Thresholds: docs/metrics.md.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "analysis/ablation.h"
#include "analysis/attention_outliers.h"
#include "analysis/lifecycle.h"
#include "analysis/model_capture.h"
#include "analysis/report.h"
#include "cli/command.h"
#include "core/error.h"
#include "core/install_paths.h"
#include "core/output_guard.h"
#include "core/progress.h"
#include "plot/figures.h"
#include "report/html_report.h"

namespace osc::cli {
namespace {

using namespace osc::analysis;

enum class ScanPart { All, Weights, Attention, Lifecycle, Ablate };

struct ScanArgs {
  std::string model, out;
  std::vector<std::string> texts, files, id_lists, ablate_files;
  bool no_default = false, figures = false;
  int64_t max_tokens = 0, max_windows = 8, ablate_ctx = 0, ablate_windows = 16;  // 0: min(256, model context)
  std::string act_rule = "gap", weight_rule = "relative";
  Thresholds t;
};

const char* part_command(ScanPart part) {
  switch (part) {
    case ScanPart::All: return "scan";
    case ScanPart::Weights: return "scan weights";
    case ScanPart::Attention: return "scan attention";
    case ScanPart::Lifecycle: return "scan lifecycle";
    case ScanPart::Ablate: return "scan ablate";
  }
  return "scan";
}

void add_options(CLI::App& app, ScanArgs& a, ScanPart part) {
  app.add_option("model", a.model, "Model: HF folder, .gguf or llama2.c .bin (default: the built-in models/default/)");
  app.add_option("--out,-o", a.out, "Output folder for report.json and the CSV tables (required)");
  app.add_flag("--figures", a.figures, "Also draw the figures (DIR/figures/) and DIR/report.html");
  app.add_option("--weight-rule", a.weight_rule, "Weight outlier rule: relative | absolute | both")->capture_default_str();
  app.add_option("--weight-k", a.t.weight.relative_to_median, "Relative rule: ratio >= k x the matrix's median column ratio")->capture_default_str();
  app.add_option("--weight-ratio", a.t.weight.ratio_min, "Absolute rule: column max/mean ratio >= this (An et al.)")->capture_default_str();
  if (part == ScanPart::Weights) return;
  app.add_option("--text,-t", a.texts, "Text to scan (repeatable)");
  app.add_option("--file,-f", a.files, "Text file to scan, cut into windows (repeatable)");
  app.add_option("--ids", a.id_lists, "Token ids to scan, comma-separated (repeatable)");
  app.add_flag("--no-default", a.no_default, "Do not scan the default prompt \"Summer is warm. Winter is cold.\\n\"");
  app.add_option("--max-tokens", a.max_tokens, "Tokens per file window (default: min(256, model context))");
  app.add_option("--max-windows", a.max_windows, "Windows per file")->capture_default_str();
  app.add_option("--act-rule", a.act_rule, "Activation outlier rule: gap | relative | absolute | both")->capture_default_str();
  app.add_option("--act-k", a.t.activation.relative_to_median, "Relative rule / gap floor: |x| >= k x the layer's median |x|")->capture_default_str();
  app.add_option("--act-gap", a.t.activation.gap_ratio, "Gap rule: outliers stand >= this x above the next-largest |x|")
      ->capture_default_str()->check(CLI::Range(1.0, 1e6));
  app.add_option("--act-abs", a.t.activation.absolute_min, "Absolute rule / floor: |x| >= this (Sun et al.: 100)")->capture_default_str();
  app.add_option("--collapse", a.t.activation.collapse_fraction, "Disappearance: magnitude below this fraction of its peak")->capture_default_str();
  app.add_option("--attn-frac", a.t.attention.fraction_of_length, "Attention outlier: received >= frac x sequence length")->capture_default_str();
  app.add_option("--attn-uniform", a.t.attention.uniform_multiple, "and >= m x the uniform-attention share")->capture_default_str();
  if (part != ScanPart::All && part != ScanPart::Ablate) return;
  app.add_option("--ablate-file", a.ablate_files, "Text file for the perplexity ablation (repeatable; scan ablate: default --file)");
  app.add_option("--ablate-ctx", a.ablate_ctx, "Ablation window length in tokens (default: min(256, model context))");
  app.add_option("--ablate-windows", a.ablate_windows, "Ablation windows per file")->capture_default_str();
}

std::string model_path(const std::string& given) {
  if (!given.empty()) return given;
  // An installed program's copy first (core/install_paths.h), then the source tree's.
  const std::string installed = installed_data_path("models/default");
  const std::string dir = installed.empty() ? std::string(OUTLIERSCOPE_MODELS_DIR) + "/default" : installed;
  OSC_CHECK_INPUT(std::filesystem::exists(dir), "scan",
                  "no MODEL given and the built-in default model " + dir + " is not installed");
  return dir;
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

// A window length the user left unset: 256 tokens, or the model's whole context if shorter.
int64_t window_or_default(int64_t given, const Model& model) {
  if (given > 0) return given;
  const int64_t context = model.config().max_positions;
  return context > 0 ? std::min<int64_t>(256, context) : 256;
}

std::vector<InputSequence> gather_inputs(const Model& model, const ScanArgs& a, bool with_files) {
  std::vector<InputSequence> inputs;
  if (!a.no_default) inputs.push_back(input_from_text(model, kDefaultPrompt, "default"));
  for (const auto& t : a.texts) inputs.push_back(input_from_text(model, t, "text"));
  for (const auto& ids : a.id_lists) inputs.push_back(input_from_ids(model, parse_ids(ids), "ids"));
  if (with_files)
    for (const auto& f : a.files)
      for (auto& w : inputs_from_file(model, f, window_or_default(a.max_tokens, model), a.max_windows)) inputs.push_back(std::move(w));
  OSC_CHECK_INPUT(!inputs.empty(), "scan", "nothing to scan: --no-default without --text, --ids or --file");
  return inputs;
}

// The layer whose attention map the report keeps: the one after emergence, else the last.
int64_t pattern_layer(const SiteAnalysis& resid) {
  const int64_t e = first_outlier_layer(resid);
  return e >= 0 && e + 1 < resid.n_layers ? e + 1 : resid.n_layers - 1;
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
std::vector<std::string> scan_inputs(const std::string& model, const ScanArgs& a) {
  std::vector<std::string> inputs = {model};
  inputs.insert(inputs.end(), a.files.begin(), a.files.end());
  inputs.insert(inputs.end(), a.ablate_files.begin(), a.ablate_files.end());
  return inputs;
}

int run_scan(ScanArgs a, ScanPart part) {
  OSC_CHECK_INPUT(!a.out.empty(), part_command(part), "--out DIR is required");
  a.t.activation.rule = rule_from_name(a.act_rule, "--act-rule", true);
  a.t.weight.rule = rule_from_name(a.weight_rule, "--weight-rule");
  const bool quiet = global_quiet();
  const std::string path = model_path(a.model);
  OutputFolder out(a.out, "scan", scan_inputs(path, a), OutputFolder::Mode::Replace);
  const Model model = Model::load(path);
  const LayerWeights weights = model_linear_weights(model);
  ReportParts parts;
  parts.command = part_command(part);
  parts.model = model_json(model);
  parts.thresholds = a.t;

  std::optional<WeightAnalysis> w;
  if (part == ScanPart::All || part == ScanPart::Weights) {
    w = analyze_weights(weights, a.t.weight, quiet);
    parts.weights = &*w;
  }
  std::vector<Capture> captures;
  std::optional<SiteAnalysis> resid, post;
  std::optional<AttentionAnalysis> attention;
  if (part != ScanPart::Weights) {
    const bool with_attention = part != ScanPart::Ablate;
    captures = capture_inputs(model, gather_inputs(model, a, part != ScanPart::Ablate || a.ablate_files.size()), with_attention, quiet);
    parts.captures = &captures;
    resid = analyze_site(captures, "resid_post", kResidPost, a.t.activation);
    post = analyze_site(captures, "mlp_post", kMlpPost, a.t.activation);
    parts.resid_post = &*resid;
    parts.mlp_post = &*post;
    if (with_attention) {
      attention = analyze_attention(captures, a.t.attention, pattern_layer(*resid));
      parts.attention = &*attention;
    }
  }
  if (part != ScanPart::Weights && part != ScanPart::Attention)
    parts.lifecycle = lifecycle_json(*resid, captures, weights, a.t.activation);
  const std::vector<std::string> ablate_files = part == ScanPart::Ablate && a.ablate_files.empty() ? a.files : a.ablate_files;
  if ((part == ScanPart::All || part == ScanPart::Ablate) && !ablate_files.empty()) {
    const OutlierSite site = emergence_site(*resid);
    OSC_CHECK_INPUT(site.layer >= 0 || part != ScanPart::Ablate, "scan ablate",
                    "no activation outliers were detected, nothing to ablate (lower --act-k?)");
    parts.ablation = site.layer < 0 ? nlohmann::json{{"skipped", "no activation outliers were detected"}}
                                    : run_ablation(model, {site.layer, site.channels},
                                                   {ablate_files, window_or_default(a.ablate_ctx, model), a.ablate_windows, quiet}, a.t.activation);
  } else if (part == ScanPart::Ablate) {
    throw_bad_input("scan ablate", "needs a text file: --ablate-file F (or --file F)");
  }
  const nlohmann::json report = build_report(parts);
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
      if (parts[i].first->parsed()) return run_scan(*parts[i].second, kinds[i]);
    return run_scan(*all, ScanPart::All);
  };
});

}  // namespace
}  // namespace osc::cli
