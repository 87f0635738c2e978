// Reads a report.json (docs/report-schema.md) or a variant-comparison JSON (docs/figures.md) into
// the figure model. Both the static figures and the HTML report start here, so a malformed or
// old-schema document is rejected in one place with one clear BadInput error.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "report/figure_model.h"

namespace osc::report {

// "report" or "comparison", after checking the "schema" and "schema_version" fields.
std::string document_kind(const nlohmann::json& document, const std::string& source);

// All figures the report has data for (sections missing from the report give no figures).
std::vector<Figure> figures_from_report(const nlohmann::json& report, const std::string& source);
std::vector<Figure> figures_from_comparison(const nlohmann::json& comparison, const std::string& source);

// The model name for titles: model.name, else the last part of model.path, else "model".
std::string model_title(const nlohmann::json& report);

}  // namespace osc::report
