// Internal to the report reader: one function per report section, each appending its figures.
#pragma once
#include <string>
#include <vector>

#include "core/json_fields.h"
#include "report/figure_model.h"

namespace osc::report::detail {

struct Context {
  std::string model;      // for titles
  int64_t n_layers = 0;
  std::vector<double> layer_axis() const;                 // 0 .. n_layers-1
  std::string layer_title(int64_t layer) const;           // "<model>, Layer N"
};

void add_activation_figures(const JsonField& activations, const Context& ctx, std::vector<Figure>& out);
void add_weight_figures(const JsonField& weights, const Context& ctx, std::vector<Figure>& out);
void add_attention_figures(const JsonField& attention, const Context& ctx, std::vector<Figure>& out);
void add_lifecycle_figures(const JsonField& lifecycle, const JsonField& report, const Context& ctx,
                           std::vector<Figure>& out);

// A landscape in the schema's shared layout ("positions"/"pieces"/"channels"/"highlight_*"/
// "abs_values"), as in activations.landscapes.*.
Landscape activation_landscape(const JsonField& f);
// A weight landscape (weights.landscape layout) turned so that each line is one weight column,
// running along the rows, like the paper's W_down panel.
Landscape weight_landscape(const JsonField& f);

// Indices in `shown` of the wanted values (positions, channels), skipping absent ones.
std::vector<int64_t> indices_of(const std::vector<int64_t>& wanted, const std::vector<int64_t>& shown);
// Counts per token class ("initial", "strong_delimiter", "weak_semantic", "other").
Bars token_class_bars(const JsonField& classes);
// Log scale when the positive values span more than two decades.
bool wants_log_scale(const Curves& curves);

// One figure with a single chart.
Figure single(std::string id, std::string title, std::string caption, Chart chart);

}  // namespace osc::report::detail
