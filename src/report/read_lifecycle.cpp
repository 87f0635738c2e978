// lifecycle section -> three multi-panel figures: emergence (gate/up/down weights and the MLP
// activations at the emergence layer, the down columns that write the outlier), spread (q/k/v norms
// and the attention of the sink head at a later layer) and disappearance (the collapse and what
// cancels it).
#include <cmath>

#include "report/reader_parts.h"

namespace osc::report::detail {
namespace {

Landscape signed_values_landscape(const JsonField& values, const JsonField& site, const std::vector<int64_t>& hot_positions,
                                  const std::vector<int64_t>& hot_channels) {
  Landscape l;
  const auto positions = values.at("positions").integers();
  l.row_labels = values.at("pieces").texts(positions.size());
  l.columns = site.at("channels").integers();
  l.values = site.at("values").matrix(positions.size(), l.columns.size());
  for (auto& row : l.values)
    for (double& v : row) v = std::fabs(v);
  l.highlight_rows = indices_of(hot_positions, positions);
  l.highlight_columns = hot_channels;
  return l;
}

// The mlp_post channels of down columns ("mlp_post_channel" for a mixture's expert columns).
std::vector<int64_t> post_channels(const JsonField& entries) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const JsonField e = entries.at(i);
    out.push_back(e.at(e.has("mlp_post_channel") ? "mlp_post_channel" : "column").integer());
  }
  return out;
}

// "col 7000", or "e3 col 7000" for a column of expert 3.
std::string column_label(const JsonField& entry, const std::string& prefix) {
  const std::string expert = entry.has("expert") ? "e" + std::to_string(entry.at("expert").integer()) + " " : "";
  return expert + prefix + std::to_string(entry.at("column").integer());
}

Bars contribution_bars(const JsonField& entries, const std::string& prefix, const std::string& y_axis) {
  Bars b;
  for (size_t i = 0; i < entries.size(); ++i) {
    b.labels.push_back(column_label(entries.at(i), prefix));
    b.values.push_back(entries.at(i).at("contribution").number());
  }
  b.y_axis = y_axis;
  b.show_share = false;
  return b;
}

void add_emergence(const JsonField& e, const Context& ctx, std::vector<Figure>& out) {
  const int64_t layer = e.at("layer").integer();
  Figure fig;
  fig.id = "lifecycle_emergence";
  fig.title = ctx.layer_title(layer) + ": emergence";
  fig.caption = "Weight outliers in gate/up/down create the activation outlier: down input, down output, layer output.";
  fig.columns = 3;
  fig.group = "lifecycle";
  if (e.has("weight_landscapes")) {
    const JsonField w = e.at("weight_landscapes");
    for (const char* module : {"gate", "up", "down"})
      if (w.has(module)) fig.panels.push_back({std::string(module) + "_proj", weight_landscape(w.at(module))});
  }
  const auto positions = e.at("positions").integers();
  const auto channels = e.at("channels").integers();
  const auto down_columns = e.has("down_columns") ? post_channels(e.at("down_columns")) : std::vector<int64_t>{};
  if (e.has("values")) {
    const JsonField v = e.at("values");
    const std::pair<const char*, const std::vector<int64_t>*> sites[] = {
        {"mlp_post", &down_columns}, {"mlp_out", &channels}, {"resid_post", &channels}};
    for (const auto& [site, hot] : sites)
      if (v.has(site)) fig.panels.push_back({site, signed_values_landscape(v, v.at(site), positions, *hot)});
  }
  if (e.has("down_columns") && e.at("down_columns").size() > 0)
    fig.panels.push_back({"down columns writing the outlier",
                          contribution_bars(e.at("down_columns"), "col ", "contribution to the outlier")});
  if (!fig.panels.empty()) out.push_back(std::move(fig));
}

void add_spread(const JsonField& s, const Context& ctx, std::vector<Figure>& out) {
  const int64_t layer = s.at("layer").integer();
  const auto pieces = s.at("pieces").texts();
  const size_t n = pieces.size();
  Figure fig;
  fig.id = "lifecycle_spread";
  fig.title = ctx.layer_title(layer) + ", head " + std::to_string(s.at("head").integer()) + ": spread";
  fig.caption = "Outlier tokens get small q and v norms; their keys attract the attention (attention sink).";
  fig.columns = 3;
  fig.group = "lifecycle";
  Curves norms;
  for (size_t i = 0; i < n; ++i) norms.x.push_back(static_cast<double>(i));
  for (const char* key : {"q_norm", "k_norm", "v_norm"})
    if (s.has(key)) norms.series.push_back({key, s.at(key).numbers(n)});
  norms.x_axis = "position";
  norms.y_axis = "L2 norm";
  fig.panels.push_back({"q / k / v norms", std::move(norms)});
  const auto hot = s.has("outlier_positions") ? s.at("outlier_positions").integers() : std::vector<int64_t>{};
  for (const auto& [key, name] : {std::pair{"attn_probs", "attention probabilities"}, {"attn_logits", "attention logits"}}) {
    if (!s.has(key)) continue;
    Heatmap h;
    h.row_labels = pieces;
    h.column_labels = pieces;
    h.values = s.at(key).matrix(n, n);
    h.highlight_columns = hot;
    h.lower_triangle = true;
    h.x_axis = "key";
    h.y_axis = "query";
    h.value_axis = name;
    fig.panels.push_back({name, std::move(h)});
  }
  out.push_back(std::move(fig));
}

void add_disappearance(const JsonField& d, const JsonField& report, const Context& ctx, std::vector<Figure>& out) {
  Figure fig;
  fig.id = "lifecycle_disappearance";
  const bool found = d.has("layer");
  fig.title = found ? ctx.layer_title(d.at("layer").integer()) + ": disappearance"
                    : ctx.model + ": outliers persist to the last layer";
  fig.caption = "The last layers write the opposite sign at the outlier entries and cancel them.";
  fig.columns = 3;
  fig.group = "lifecycle";
  if (report.has("activations") && report.at("activations").has("sites")) {
    const JsonField sites = report.at("activations").at("sites");
    if (sites.has("resid_post")) {
      Curves c;
      c.x = ctx.layer_axis();
      c.series.push_back({"Top 1", sites.at("resid_post").at("per_layer").at("top1").numbers(c.x.size())});
      c.x_axis = "layer (0-based)";
      c.y_axis = "top-1 |resid_post|";
      fig.panels.push_back({"top-1 magnitude per layer", std::move(c)});
    }
  }
  Bars levels;
  for (const char* key : {"peak", "before", "after"})
    if (d.has(key)) levels.labels.push_back(key), levels.values.push_back(d.at(key).number());
  levels.y_axis = "|x| at the outlier entries";
  levels.show_share = false;
  if (!levels.labels.empty()) fig.panels.push_back({"magnitude: peak, before, after", std::move(levels)});
  if (d.has("cancel_by")) {
    const JsonField c = d.at("cancel_by");
    Bars cancel;
    for (const char* key : {"mlp_out", "attn_out"})
      if (c.has(key)) cancel.labels.push_back(key), cancel.values.push_back(c.at(key).number());
    if (c.has("down_columns"))
      for (size_t i = 0; i < c.at("down_columns").size(); ++i) {
        const JsonField col = c.at("down_columns").at(i);
        cancel.labels.push_back(column_label(col, "down col "));
        cancel.values.push_back(col.at("contribution").number());
      }
    cancel.y_axis = "signed contribution";
    cancel.show_share = false;
    if (!cancel.labels.empty()) fig.panels.push_back({"what cancels the outlier", std::move(cancel)});
  }
  if (!fig.panels.empty()) out.push_back(std::move(fig));
}

}  // namespace

void add_lifecycle_figures(const JsonField& lifecycle, const JsonField& report, const Context& ctx, std::vector<Figure>& out) {
  if (lifecycle.has("emergence")) add_emergence(lifecycle.at("emergence"), ctx, out);
  if (lifecycle.has("spread")) add_spread(lifecycle.at("spread"), ctx, out);
  if (lifecycle.has("disappearance")) add_disappearance(lifecycle.at("disappearance"), report, ctx, out);
}

}  // namespace osc::report::detail
