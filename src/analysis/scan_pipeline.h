// The scan pipeline as one library call: which analyses run, on which inputs, in which order, for
// `outlierscope scan` and its parts (weights / attention / lifecycle / ablate), the tests (in
// process) and the Python module. Returns the report (docs/report-schema.md); writing it is
// write_report_files (analysis/report.h), drawing it plot::draw_report_figures.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/capture.h"
#include "analysis/thresholds.h"
#include "model/model.h"

namespace osc::analysis {

enum class ScanPart { All, Weights, Attention, Lifecycle, Ablate };
// The command that names the part in the report and in error messages: "scan", "scan weights", ...
const char* scan_part_command(ScanPart part);

// What to scan. File windows are consecutive pieces of the file's tokens.
struct ScanInputs {
  bool include_default = true;                 // the default prompt (kDefaultPrompt)
  std::vector<std::string> texts;
  std::vector<std::vector<int32_t>> id_lists;
  std::vector<std::string> files;
  int64_t max_tokens = 0;                      // tokens per file window; 0: min(256, model context)
  int64_t max_windows = 8;                     // windows per file
  std::vector<std::string> ablate_files;       // perplexity ablation (scan ablate: default `files`)
  int64_t ablate_ctx = 0;                      // ablation window; 0: min(256, model context)
  int64_t ablate_windows = 16;                 // ablation windows per file
};

struct ScanOptions {
  ScanPart part = ScanPart::All;
  Thresholds thresholds;
  bool quiet = false;                          // no progress lines
  // Bytes the model's weights and the captures may fill before the forward sweep gives back each
  // finished layer's pages (layer_sweep.h); unset: the memory available when the scan starts.
  std::optional<uint64_t> memory_budget;
  // Bytes the scan may fill at all (captures and outlier entries cannot be given back): past it,
  // BadInput naming what to reduce rather than an OOM kill; unset: MemAvailable at start.
  std::optional<uint64_t> memory_available;
};

// Runs the part's analyses and assembles the report. BadInput for nothing to scan, or (scan ablate)
// no text file or no outliers to ablate; the analyses' own errors pass through.
nlohmann::json run_scan(const Model& model, const ScanInputs& inputs, const ScanOptions& options);

// The sequences to scan, tokenized as the model's own (`with_files`: also the file windows).
// BadInput when there are none.
std::vector<InputSequence> gather_inputs(const Model& model, const ScanInputs& in, bool with_files);

// The layer whose attention map the report keeps: the one after emergence, else the last.
int64_t attention_pattern_layer(const SiteAnalysis& resid);

// A window length the user left unset (0): 256 tokens, or the model's whole context if shorter.
int64_t window_or_default(int64_t given, const Model& model);

}  // namespace osc::analysis
