// weights section -> the down-projection weight landscape around the outlier column, max/mean
// ratio curves (down projection, and every module), and the top-3 down columns per layer.
#include "report/reader_parts.h"

namespace osc::report::detail {
namespace {

Curves down_ratio_curves(const JsonField& down, const Context& ctx) {
  Curves c;
  c.x = ctx.layer_axis();
  const auto n = static_cast<size_t>(ctx.n_layers);
  c.series.push_back({"max column ratio", down.at("max_col_ratio").numbers(n)});
  if (down.has("median_col_ratio")) c.series.push_back({"median column ratio", down.at("median_col_ratio").numbers(n)});
  c.x_axis = "layer (0-based)";
  c.y_axis = "max |w| / mean |w|";
  c.log_y = wants_log_scale(c);
  return c;
}

Curves module_ratio_curves(const JsonField& weights, const Context& ctx) {
  Curves c;
  c.x = ctx.layer_axis();
  const auto n = static_cast<size_t>(ctx.n_layers);
  const JsonField ratios = weights.at("module_max_ratio");
  std::vector<std::string> modules = weights.has("modules") ? weights.at("modules").texts() : std::vector<std::string>{};
  modules.push_back("reference_mean");
  for (const auto& m : modules)
    if (ratios.has(m.c_str())) c.series.push_back({m == "reference_mean" ? "mean" : m, ratios.at(m.c_str()).numbers(n)});
  c.x_axis = "layer (0-based)";
  c.y_axis = "max |w| / mean |w|";
  c.log_y = wants_log_scale(c);
  return c;
}

Curves top_column_scatter(const JsonField& down, const Context& ctx) {
  Curves c;
  c.x = ctx.layer_axis();
  const auto n = static_cast<size_t>(ctx.n_layers);
  const JsonField top3 = down.at("top3_columns");
  if (top3.size() != n) top3.fail("expected " + std::to_string(n) + " layers, got " + std::to_string(top3.size()));
  for (size_t k = 0; k < 3; ++k) {
    Series s{"Top " + std::to_string(k + 1), {}};
    for (size_t l = 0; l < n; ++l) {
      const JsonField layer = top3.at(l);
      s.y.push_back(k < layer.size() ? layer.at(k).number() : NAN);
    }
    c.series.push_back(std::move(s));
  }
  c.x_axis = "layer (0-based)";
  c.y_axis = "down-projection column";
  c.markers_only = true;
  return c;
}

}  // namespace

Landscape weight_landscape(const JsonField& f) {
  const auto columns = f.at("columns").integers();
  const auto rows = f.at("rows").integers();
  const auto values = f.at("abs_values").matrix(rows.size(), columns.size());  // [rows][columns]
  if (rows.empty() || columns.empty()) f.fail("empty landscape (no rows or columns)");
  Landscape l;
  for (int64_t c : columns) l.row_labels.push_back(std::to_string(c));
  l.columns = rows;
  l.values.assign(columns.size(), std::vector<double>(rows.size()));
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t c = 0; c < columns.size(); ++c) l.values[c][r] = values[r][c];
  if (f.has("highlight_columns")) l.highlight_rows = indices_of(f.at("highlight_columns").integers(), columns);
  if (f.has("highlight_rows")) l.highlight_columns = f.at("highlight_rows").integers();
  l.row_axis = "column";
  l.column_axis = "row";
  l.weights = true;
  const std::string module = f.has("module") ? f.at("module").text() : "down";
  l.value_axis = "|W_" + module + "|";
  return l;
}

void add_weight_figures(const JsonField& weights, const Context& ctx, std::vector<Figure>& out) {
  if (weights.has("landscape")) {
    const JsonField f = weights.at("landscape");
    const int64_t layer = f.at("layer").integer();
    Landscape l = weight_landscape(f);
    const std::string module = f.has("module") ? f.at("module").text() : "down";
    Figure fig = single("weight_" + module + "_L" + std::to_string(layer), ctx.layer_title(layer),
                        "|W_" + module + "| around the outlier column (magenta), one line per column along the rows.",
                        {ctx.layer_title(layer), std::move(l)});
    fig.group = "landscape";
    out.push_back(std::move(fig));
  }
  if (weights.has("down")) {
    const JsonField down = weights.at("down");
    Figure ratios = single("weight_ratios_down", ctx.model + " down-projection max/mean ratio",
                           "Largest and median column max/mean ratio of |W_down| per layer.",
                           {ctx.model + " down-projection max/mean", down_ratio_curves(down, ctx)});
    ratios.group = "layer_curves";
    out.push_back(std::move(ratios));
    if (down.has("top3_columns")) {
      Figure top = single("top_columns_down", ctx.model + " top down-projection columns",
                          "Index of the top-3 down-projection columns by max/mean ratio per layer.",
                          {ctx.model + " top-3 down columns", top_column_scatter(down, ctx)});
      top.group = "top_indices";
      out.push_back(std::move(top));
    }
  }
  if (weights.has("module_max_ratio")) {
    Figure modules = single("weight_ratios_modules", ctx.model + " max/mean ratio per module",
                            "Max/mean ratio of |W| per module and layer.",
                            {ctx.model + " max/mean ratio per module", module_ratio_curves(weights, ctx)});
    modules.group = "layer_curves";
    out.push_back(std::move(modules));
  }
}

}  // namespace osc::report::detail
