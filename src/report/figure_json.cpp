#include "report/figure_json.h"

#include <nlohmann/json.hpp>
#include <type_traits>

namespace osc::report {
namespace {

using nlohmann::json;

json body_json(const Landscape& l) {
  return {{"kind", "landscape"},         {"row_labels", l.row_labels},   {"columns", l.columns},
          {"values", l.values},          {"highlight_rows", l.highlight_rows},
          {"highlight_columns", l.highlight_columns},
          {"row_axis", l.row_axis},      {"column_axis", l.column_axis}, {"value_axis", l.value_axis},
          {"z_max", l.z_max},            {"weights", l.weights}};
}

json body_json(const Heatmap& h) {
  return {{"kind", "heatmap"},       {"row_labels", h.row_labels}, {"column_labels", h.column_labels},
          {"values", h.values},      {"highlight_columns", h.highlight_columns},
          {"lower_triangle", h.lower_triangle},
          {"x_axis", h.x_axis},      {"y_axis", h.y_axis},         {"value_axis", h.value_axis}};
}

json body_json(const Curves& c) {
  json series = json::array();
  for (const auto& s : c.series) series.push_back({{"name", s.name}, {"y", s.y}});
  return {{"kind", "curves"},   {"x", c.x},         {"series", series},
          {"x_axis", c.x_axis}, {"y_axis", c.y_axis}, {"log_y", c.log_y}, {"markers_only", c.markers_only}};
}

json body_json(const Bars& b) {
  return {{"kind", "bars"}, {"labels", b.labels}, {"values", b.values}, {"y_axis", b.y_axis}, {"show_share", b.show_share}};
}

}  // namespace

json figure_to_json(const Figure& figure) {
  json panels = json::array();
  for (const auto& chart : figure.panels) {
    json p = std::visit([](const auto& body) { return body_json(body); }, chart.body);
    p["title"] = chart.title;
    panels.push_back(std::move(p));
  }
  return {{"id", figure.id},         {"title", figure.title}, {"caption", figure.caption},
          {"columns", figure.columns}, {"group", figure.group}, {"panels", panels}};
}

json figures_to_json(const std::vector<Figure>& figures) {
  json out = json::array();
  for (const auto& f : figures) out.push_back(figure_to_json(f));
  return out;
}

}  // namespace osc::report
