// The scan report (docs/report-schema.md): assembles the analyses' sections into report.json,
// derives the summary, writes the CSV tables, and renders the short human summary the CLI prints.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/attention_outliers.h"
#include "analysis/capture.h"
#include "analysis/thresholds.h"
#include "analysis/weight_outliers.h"

namespace osc::analysis {

struct ReportParts {
  std::string command = "scan";
  nlohmann::json model;                       // see schema "model"
  Thresholds thresholds;
  const std::vector<Capture>* captures = nullptr;
  const WeightAnalysis* weights = nullptr;
  const SiteAnalysis* resid_post = nullptr;
  const SiteAnalysis* mlp_post = nullptr;
  const AttentionAnalysis* attention = nullptr;
  nlohmann::json lifecycle;                   // null when not run
  nlohmann::json ablation;                    // null when not run
};

nlohmann::json build_report(const ReportParts& parts);
nlohmann::json inputs_json(const std::vector<Capture>& captures);
// report_summary.cpp: the "summary" section, derived from the other sections of `report`.
nlohmann::json summary_json(const nlohmann::json& report);

// DIR/report.json and the CSV tables, atomically; creates DIR.
void write_report_files(const nlohmann::json& report, const std::string& dir);
// The summary's findings: one sentence each, then the findings table (summary_text.cpp).
std::string summary_text(const nlohmann::json& report);

}  // namespace osc::analysis
