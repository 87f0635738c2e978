#include "pipeline/stage_scan.h"

#include <optional>
#include <vector>

#include "analysis/activation_outliers.h"
#include "analysis/attention_outliers.h"
#include "analysis/model_capture.h"
#include "analysis/report.h"
#include "core/error.h"
#include "dist/communicator.h"
#include "pipeline/root_errors.h"
#include "pipeline/stage_lifecycle.h"
#include "pipeline/stage_sweep.h"
#include "pipeline/stage_weights.h"

namespace osc::pipeline {
namespace {

using namespace osc::analysis;

bool needs_ablation(const ScanInputs& in, ScanPart part) {
  return part == ScanPart::Ablate || (part == ScanPart::All && !in.ablate_files.empty());
}

// Rank 0: the inputs, tokenized by its share of the model. A share's model has no tokenizer error
// of its own, so the loader's message (the one a single process gives) is reported instead.
std::vector<InputSequence> front_inputs(const LayerPipeline& job, const ScanInputs& in) {
  try {
    return gather_inputs(job.model(), in, true);
  } catch (const Error& e) {
    if (job.model().tokenizer() || job.tokenizer_error().empty()) throw;
    throw Error(e.kind(), job.tokenizer_error());
  }
}

}  // namespace

void check_pipelined_scan(const ScanInputs& inputs, const ScanOptions& options) {
  check_alike_on_every_rank([&] {
    OSC_CHECK_INPUT(!needs_ablation(inputs, options.part), scan_part_command(options.part),
                    "the perplexity ablation does not run layer-pipelined yet: drop --ablate-file, or run it in one "
                    "process");
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
    captures = stage_capture_sweep(job, dist::is_root() ? front_inputs(job, in) : std::vector<InputSequence>(),
                                   /*with_attention=*/true, options.quiet);
  std::optional<SiteAnalysis> resid, post;
  if (dist::is_root() && part != ScanPart::Weights) {
    resid = analyze_site(captures, "resid_post", kResidPost, t.activation);
    post = analyze_site(captures, "mlp_post", kMlpPost, t.activation, /*routed=*/true);
  }
  nlohmann::json lifecycle;
  if (part == ScanPart::All || part == ScanPart::Lifecycle)
    lifecycle = stage_lifecycle(job, resid ? &*resid : nullptr, &captures, t.activation);
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
    attention = analyze_attention(captures, t.attention, attention_pattern_layer(*resid));
    parts.attention = &*attention;
  }
  parts.lifecycle = std::move(lifecycle);
  return build_report(parts);
}

}  // namespace osc::pipeline
