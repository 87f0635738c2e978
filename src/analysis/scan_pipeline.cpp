#include "analysis/scan_pipeline.h"

#include <algorithm>
#include <optional>

#include "analysis/ablation.h"
#include "analysis/attention_outliers.h"
#include "analysis/layer_sweep.h"
#include "analysis/lifecycle.h"
#include "analysis/model_capture.h"
#include "analysis/report.h"
#include "core/error.h"
#include "model/weight_pages.h"

namespace osc::analysis {

std::vector<InputSequence> gather_inputs(const Model& model, const ScanInputs& in, bool with_files) {
  std::vector<InputSequence> inputs;
  if (in.include_default) inputs.push_back(input_from_text(model, kDefaultPrompt, "default"));
  for (const auto& t : in.texts) inputs.push_back(input_from_text(model, t, "text"));
  for (const auto& ids : in.id_lists) inputs.push_back(input_from_ids(model, ids, "ids"));
  if (with_files)
    for (const auto& f : in.files)
      for (auto& w : inputs_from_file(model, f, window_or_default(in.max_tokens, model), in.max_windows))
        inputs.push_back(std::move(w));
  OSC_CHECK_INPUT(!inputs.empty(), "scan", "nothing to scan: --no-default without --text, --ids or --file");
  return inputs;
}

int64_t attention_pattern_layer(const SiteAnalysis& resid) {
  const int64_t e = first_outlier_layer(resid);
  return e >= 0 && e + 1 < resid.n_layers ? e + 1 : resid.n_layers - 1;
}

const char* scan_part_command(ScanPart part) {
  switch (part) {
    case ScanPart::All: return "scan";
    case ScanPart::Weights: return "scan weights";
    case ScanPart::Attention: return "scan attention";
    case ScanPart::Lifecycle: return "scan lifecycle";
    case ScanPart::Ablate: return "scan ablate";
  }
  return "scan";
}

int64_t window_or_default(int64_t given, const Model& model) {
  if (given > 0) return given;
  const int64_t context = model.config().max_positions;
  return context > 0 ? std::min<int64_t>(256, context) : 256;
}

nlohmann::json run_scan(const Model& model, const ScanInputs& in, const ScanOptions& options) {
  const ScanPart part = options.part;
  const Thresholds& t = options.thresholds;
  const bool quiet = options.quiet;
  const LayerWeights weights = model_linear_weights(model);
  ReportParts parts;
  parts.command = scan_part_command(part);
  parts.model = model_json(model);
  parts.thresholds = t;

  // One layer-major sweep reads every weight once: the weight statistics and every input's forward.
  SweepOptions sweep;
  sweep.weight_statistics = part == ScanPart::All || part == ScanPart::Weights;
  sweep.weight_thresholds = t.weight;
  sweep.with_attention = part != ScanPart::Ablate;
  sweep.memory_available = options.memory_available.value_or(available_memory_bytes());
  sweep.memory_budget = options.memory_budget.value_or(sweep.memory_available);
  sweep.quiet = quiet;
  std::vector<InputSequence> inputs;
  if (part != ScanPart::Weights)
    inputs = gather_inputs(model, in, part != ScanPart::Ablate || in.ablate_files.size());
  SweepResult swept = sweep_layers(model, std::move(inputs), weights, sweep);

  std::optional<WeightAnalysis> w;
  if (sweep.weight_statistics) {
    w = assemble_weight_analysis(std::move(swept.weight_layers), weights);
    parts.weights = &*w;
  }
  const std::vector<Capture>& captures = swept.captures;
  std::optional<SiteAnalysis> resid, post;
  std::optional<AttentionAnalysis> attention;
  if (part != ScanPart::Weights) {
    parts.captures = &captures;
    // What the captures leave of the memory available at start, for the outlier entries.
    uint64_t left = sweep.memory_available - std::min(sweep.memory_available, swept.captured_bytes);
    resid = analyze_site(captures, "resid_post", kResidPost, t.activation, /*routed=*/false, left);
    left -= std::min(left, resid->outliers.size() * sizeof(ActivationOutlier));
    post = analyze_site(captures, "mlp_post", kMlpPost, t.activation, /*routed=*/true, left);
    parts.resid_post = &*resid;
    parts.mlp_post = &*post;
    if (sweep.with_attention) {
      attention = analyze_attention(captures, t.attention, attention_pattern_layer(*resid));
      parts.attention = &*attention;
    }
  }
  if (part != ScanPart::Weights && part != ScanPart::Attention)
    parts.lifecycle = lifecycle_json(*resid, captures, weights, t.activation);
  const std::vector<std::string> ablate_files =
      part == ScanPart::Ablate && in.ablate_files.empty() ? in.files : in.ablate_files;
  if ((part == ScanPart::All || part == ScanPart::Ablate) && !ablate_files.empty()) {
    const OutlierSite site = emergence_site(*resid);
    OSC_CHECK_INPUT(site.layer >= 0 || part != ScanPart::Ablate, "scan ablate",
                    "no activation outliers were detected, nothing to ablate (lower --act-k?)");
    parts.ablation = site.layer < 0 ? nlohmann::json{{"skipped", "no activation outliers were detected"}}
                                    : run_ablation(model, {site.layer, site.channels},
                                                   {ablate_files, window_or_default(in.ablate_ctx, model),
                                                    in.ablate_windows, quiet, sweep.memory_budget},
                                                   t.activation);
  } else if (part == ScanPart::Ablate) {
    throw_bad_input("scan ablate", "needs a text file: --ablate-file F (or --file F)");
  }
  return build_report(parts);
}

}  // namespace osc::analysis
