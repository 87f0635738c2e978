// The summary the CLI prints: the findings' sentences and the findings table of report.json's
// summary (report_findings.cpp), nothing else, so the terminal and the HTML report say the same.
#include <algorithm>
#include <sstream>

#include "analysis/report.h"

namespace osc::analysis {
namespace {

std::string cell_text(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// Columns padded to their widest cell; the last column is not padded.
std::string text_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  std::ostringstream out;
  for (const auto& r : rows) {
    out << " ";
    for (size_t i = 0; i < r.size(); ++i) {
      out << " " << r[i];
      if (i + 1 < r.size()) out << std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace

std::string summary_text(const nlohmann::json& report) {
  const nlohmann::json& s = report["summary"];
  std::ostringstream out;
  const auto& m = report["model"];
  out << "model: " << m.value("name", std::string()) << " (" << m.value("architecture", std::string()) << ", "
      << m.value("n_layers", 0) << " layers, d_model " << m.value("d_model", 0) << ")\n";
  std::vector<std::vector<std::string>> rows = {{"finding", "layer", "size", "where"}};
  for (const auto& f : s["findings"]) {
    out << "- " << f["sentence"].get<std::string>() << "\n";
    rows.push_back({f["topic"].get<std::string>(), cell_text(f["layer"]), cell_text(f["size"]), cell_text(f["where"])});
  }
  if (rows.size() > 1) out << text_table(rows);
  return out.str();
}

}  // namespace osc::analysis
