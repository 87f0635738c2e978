// CSV tables (RFC 4180), as scan and experiment write them: cells joined by ',', one line a row; a
// cell holding ',', '"' or a line break is quoted, its '"' doubled.
#pragma once
#include <string>
#include <vector>

namespace osc {

std::string csv_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace osc
