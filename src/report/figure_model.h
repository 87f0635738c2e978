// The figure model: what each figure shows, independent of how it is drawn. The report reader
// turns a report.json into a list of Figures; the PLplot backend (src/plot/) draws them as static
// images and the HTML report (src/report/html_report.cpp) as interactive plotly views, so both
// outputs always show the same data.
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace osc::report {

// |value| over rows (tokens, or weight rows) x columns (channels) at one hook and layer, drawn as
// one line per row along the columns, like the paper's 3-D "exist" plots.
struct Landscape {
  std::vector<std::string> row_labels;       // display pieces of the tokens, or row indices
  std::vector<int64_t> columns;              // channel / column index of each column shown
  std::vector<std::vector<double>> values;   // [rows][columns], magnitudes (>= 0)
  std::vector<int64_t> highlight_rows;       // indices into row_labels (outlier tokens)
  std::vector<int64_t> highlight_columns;    // channel indices (values of `columns`) to label
  std::string row_axis = "token", column_axis = "channel", value_axis = "|value|";
  double z_max = 0.0;                        // shared axis scale for comparison grids; 0 = auto
  bool weights = false;                      // rows are weight columns (drawn green, not blue)
};

// A matrix as coloured cells: attention (queries x keys, lower triangle) or layers x heads.
struct Heatmap {
  std::vector<std::string> row_labels, column_labels;
  std::vector<std::vector<double>> values;   // [rows][columns]
  std::vector<int64_t> highlight_columns;    // e.g. the sink keys, indices into column_labels
  bool lower_triangle = false;               // causal attention: cells above the diagonal are empty
  std::string x_axis, y_axis, value_axis;
};

struct Series {
  std::string name;
  std::vector<double> y;                     // one value per x (NaN = missing)
};

// Layer-wise curves (lines with markers) or, with markers_only, a scatter of indices per layer.
struct Curves {
  std::vector<double> x;
  std::vector<Series> series;
  std::string x_axis = "layer", y_axis;
  bool log_y = false;
  bool markers_only = false;
};

struct Bars {
  std::vector<std::string> labels;
  std::vector<double> values;
  std::string y_axis;
  bool show_share = true;                    // label each bar with its share of the total
};

struct Chart {
  std::string title;                         // "<model>, Layer N" for per-layer views
  std::variant<Landscape, Heatmap, Curves, Bars> body;
};

struct Figure {
  std::string id;                            // file stem, e.g. "landscape_resid_post_L2"
  std::string title;                         // figure title (for multi-panel figures)
  std::string caption;                       // one sentence on what to look for
  std::vector<Chart> panels;                 // one or more panels, drawn in a grid
  int columns = 1;                           // panels per row
  std::string group;                         // figures of one group share a picker in the HTML report
  bool static_image = true;                  // false: only in the HTML report (e.g. one per layer)
};

}  // namespace osc::report
