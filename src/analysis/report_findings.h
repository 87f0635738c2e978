// The findings table of the summary (docs/report-schema.md, "summary.findings"): one row per
// analysis that ran, in the paper's terms (which layer, channels, tokens, how large against the
// median, which heads sink, which down-projection columns write them), each with one sentence and
// the figure group of the HTML report that shows it; "nothing found" rows name the rule.
#pragma once
#include <nlohmann/json.hpp>

namespace osc::analysis {

// `summary`: the summary fields built so far (outlier_tokens, sites, sinks, rules, left_out ...).
nlohmann::json findings_json(const nlohmann::json& report, const nlohmann::json& summary);

}  // namespace osc::analysis
