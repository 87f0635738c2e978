#include "pipeline/stage_scan.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/activation_outliers.h"
#include "analysis/attention_outliers.h"
#include "analysis/lifecycle.h"
#include "analysis/model_capture.h"
#include "analysis/report.h"
#include "core/error.h"
#include "dist/communicator.h"
#include "pipeline/root_errors.h"
#include "pipeline/stage_ablation.h"
#include "pipeline/stage_lifecycle.h"
#include "pipeline/stage_sweep.h"
#include "pipeline/stage_weights.h"

namespace osc::pipeline {
namespace {

using namespace osc::analysis;

// The ablation's text files (scan ablate: --file when no --ablate-file); none: no ablation.
std::vector<std::string> ablation_files(const ScanInputs& in, ScanPart part) {
  if (part != ScanPart::All && part != ScanPart::Ablate) return {};
  return part == ScanPart::Ablate && in.ablate_files.empty() ? in.files : in.ablate_files;
}

// Rank 0: the ablation of the emergence site (run_scan's), or why none ran; null elsewhere.
nlohmann::json ablation_section(const LayerPipeline& job, const SiteAnalysis* resid, const ScanInputs& in,
                                const ScanOptions& options) {
  AblationTarget target;
  if (dist::is_root()) {
    const OutlierSite site = emergence_site(*resid);
    OSC_CHECK_INPUT(site.layer >= 0 || options.part != ScanPart::Ablate, "scan ablate",
                    "no activation outliers were detected, nothing to ablate (lower --act-k?)");
    target = {site.layer, site.channels};
  }
  int64_t layer = target.layer;  // the other ranks learn whether the ablation runs
  dist::broadcast(std::as_writable_bytes(std::span(&layer, 1)));
  if (layer < 0) return dist::is_root() ? nlohmann::json{{"skipped", "no activation outliers were detected"}} : nullptr;
  const AblationOptions ablation{ablation_files(in, options.part), window_or_default(in.ablate_ctx, job.model()),
                                 in.ablate_windows, options.quiet};
  return stage_ablation(job, target, ablation, options.thresholds.activation);
}

// Rank 0: the inputs, tokenized by its share of the model. A share's model has no tokenizer error
// of its own, so the loader's message (the one a single process gives) is reported instead.
std::vector<InputSequence> front_inputs(const LayerPipeline& job, const ScanInputs& in, ScanPart part) {
  try {
    return gather_inputs(job.model(), in, part != ScanPart::Ablate || !in.ablate_files.empty());
  } catch (const Error& e) {
    if (job.model().tokenizer() || job.tokenizer_error().empty()) throw;
    throw Error(e.kind(), job.tokenizer_error());
  }
}

}  // namespace

void check_pipelined_scan(const ScanInputs& inputs, const ScanOptions& options) {
  check_alike_on_every_rank([&] {
    OSC_CHECK_INPUT(options.part != ScanPart::Ablate || !ablation_files(inputs, options.part).empty(), "scan ablate",
                    "needs a text file: --ablate-file F (or --file F)");
  });
}

nlohmann::json stage_scan(const LayerPipeline& job, const std::string& path, const ScanInputs& in,
                          const ScanOptions& options) {
  const ScanPart part = options.part;
  const Thresholds& t = options.thresholds;
  std::optional<WeightAnalysis> weights;
  if (part == ScanPart::All || part == ScanPart::Weights)
    weights = stage_weight_analysis(job, t.weight, options.quiet);
  std::vector<Capture> captures;
  if (part != ScanPart::Weights)
    captures = stage_capture_sweep(job, dist::is_root() ? front_inputs(job, in, part) : std::vector<InputSequence>(),
                                   /*with_attention=*/part != ScanPart::Ablate, options.quiet);
  std::optional<SiteAnalysis> resid, post;
  if (dist::is_root() && part != ScanPart::Weights) {
    resid = analyze_site(captures, "resid_post", kResidPost, t.activation);
    post = analyze_site(captures, "mlp_post", kMlpPost, t.activation, /*routed=*/true);
  }
  nlohmann::json lifecycle;
  if (part == ScanPart::All || part == ScanPart::Lifecycle || part == ScanPart::Ablate)
    lifecycle = stage_lifecycle(job, resid ? &*resid : nullptr, &captures, t.activation);
  nlohmann::json ablation;
  if (!ablation_files(in, part).empty()) ablation = ablation_section(job, resid ? &*resid : nullptr, in, options);
  if (!dist::is_root()) return nullptr;
  ReportParts parts;
  parts.command = scan_part_command(part);
  parts.model = model_json(job.model(), path);
  parts.thresholds = t;
  parts.weights = weights ? &*weights : nullptr;
  std::optional<AttentionAnalysis> attention;
  if (part != ScanPart::Weights) {
    parts.captures = &captures;
    parts.resid_post = &*resid;
    parts.mlp_post = &*post;
  }
  if (part != ScanPart::Weights && part != ScanPart::Ablate) {
    attention = analyze_attention(captures, t.attention, attention_pattern_layer(*resid));
    parts.attention = &*attention;
  }
  parts.lifecycle = std::move(lifecycle);
  parts.ablation = std::move(ablation);
  return build_report(parts);
}

}  // namespace osc::pipeline
