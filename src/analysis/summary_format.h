// Numbers and lists as the summary states them (docs/report-schema.md, "summary"): magnitudes to
// three significant digits, ratios as "N times the median", lists shortened with a count of the
// rest. One definition for the terminal summary and the HTML report.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace osc::analysis {

// Three significant digits, without an exponent below 1e6: 2412.7 -> "2410", 0.30149 -> "0.301",
// 24.06 -> "24.1", 3.2e-5 -> "3.2e-05".
std::string three_digits(double value);
// "2410, 8010 times the median (0.301)".
std::string times_median(double magnitude, double median);
// "1415, 2533" or, past `shown` items, "1415, 2533, ... and 12 more".
std::string short_list(const std::vector<std::string>& items, size_t shown = 8);

}  // namespace osc::analysis
