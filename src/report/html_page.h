// The fixed parts of report.html: its style sheet and the page script that draws the view model
// (figure_json.h) with plotly.js.
#pragma once
#include <string_view>

namespace osc::report {

std::string_view page_css();
std::string_view page_script();
std::string_view error_capture_script();

}  // namespace osc::report
