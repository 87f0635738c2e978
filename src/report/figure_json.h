// The figure model as JSON for the page script of report.html (the "view model"): the script reads
// only this, never report.json's own layout, so schema changes are absorbed by the report reader.
#pragma once
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "report/figure_model.h"

namespace osc::report {

nlohmann::json figure_to_json(const Figure& figure);
nlohmann::json figures_to_json(const std::vector<Figure>& figures);

}  // namespace osc::report
