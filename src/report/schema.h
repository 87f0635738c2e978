// The names and versions of the JSON documents outlierscope writes (docs/report-schema.md,
// docs/figures.md), defined once for their writers (analysis: report.json, experiment:
// comparison.json) and their reader (report_reader).
#pragma once

namespace osc::report {

inline constexpr const char* kReportSchema = "outlierscope.report";
inline constexpr int kReportSchemaVersion = 2;
inline constexpr int kOldestReportSchemaVersion = 1;  // version 2 only added fields, so 1 is still read
inline constexpr const char* kComparisonSchema = "outlierscope.comparison";
inline constexpr int kComparisonSchemaVersion = 1;

}  // namespace osc::report
