// The interactive report: one self-contained report.html (plotly.js inlined, the report data
// embedded as escaped JSON) that works offline in any browser, no server needed.
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace osc::report {

// Writes report.html atomically to `path`. Throws BadInput naming the report if it is malformed,
// Internal if the bundled plotly.js cannot be read.
// `source` names the report in error messages.
void write_html_report(const nlohmann::json& report, const std::string& path,
                       const std::string& source = "report.json");

// The HTML text itself (for tests and for callers that embed it).
std::string render_html_report(const nlohmann::json& report, const std::string& source = "report.json");

}  // namespace osc::report
