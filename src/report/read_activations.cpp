// activations section -> 3-D landscapes at the emergence layer, layer-wise magnitude curves, the
// top outlier channel per layer, and the token classes of the outliers.
#include <algorithm>

#include "report/reader_parts.h"

namespace osc::report::detail {
namespace {

const char* const kSites[] = {"resid_post", "mlp_post"};

Curves magnitude_curves(const JsonField& per_layer, const Context& ctx) {
  Curves c;
  c.x = ctx.layer_axis();
  const auto n = static_cast<size_t>(ctx.n_layers);
  for (const char* key : {"top1", "top2", "top3", "median"}) {
    if (!per_layer.has(key)) continue;
    const std::string name = key[0] == 't' ? std::string("Top ") + key[3] : "Median";
    c.series.push_back({name, per_layer.at(key).numbers(n)});
  }
  c.x_axis = "layer (0-based)";
  c.y_axis = "magnitude |x|";
  return c;
}

Curves channel_scatter(const JsonField& per_layer, const Context& ctx) {
  Curves c;
  c.x = ctx.layer_axis();
  const auto n = static_cast<size_t>(ctx.n_layers);
  if (per_layer.has("top1_channel")) c.series.push_back({"Top 1", per_layer.at("top1_channel").numbers(n)});
  if (per_layer.has("top2_channel")) c.series.push_back({"Top 2", per_layer.at("top2_channel").numbers(n)});
  c.x_axis = "layer (0-based)";
  c.y_axis = "channel index";
  c.markers_only = true;
  return c;
}

}  // namespace

Bars token_class_bars(const JsonField& classes) {
  Bars b;
  for (const char* key : {"initial", "strong_delimiter", "weak_semantic", "other"}) {
    if (!classes.has(key)) continue;
    b.labels.push_back(key);
    b.values.push_back(classes.at(key).number());
  }
  b.y_axis = "outlier tokens";
  return b;
}

Landscape activation_landscape(const JsonField& f) {
  Landscape l;
  const auto positions = f.at("positions").integers();
  l.row_labels = f.at("pieces").texts(positions.size());
  l.columns = f.at("channels").integers();
  l.values = f.at("abs_values").matrix(positions.size(), l.columns.size());
  if (f.has("highlight_positions")) l.highlight_rows = indices_of(f.at("highlight_positions").integers(), positions);
  if (f.has("highlight_channels")) l.highlight_columns = f.at("highlight_channels").integers();
  if (positions.empty() || l.columns.empty()) f.fail("empty landscape (no positions or channels)");
  return l;
}

void add_activation_figures(const JsonField& activations, const Context& ctx, std::vector<Figure>& out) {
  if (activations.has("landscapes")) {
    const JsonField landscapes = activations.at("landscapes");
    for (const char* site : kSites) {
      if (!landscapes.has(site)) continue;
      const JsonField f = landscapes.at(site);
      const int64_t layer = f.at("layer").integer();
      Landscape l = activation_landscape(f);
      const std::string hook = f.has("hook") ? f.at("hook").text() : site;
      l.value_axis = "|" + hook + "|";
      Figure fig = single("landscape_" + std::string(site) + "_L" + std::to_string(layer), ctx.layer_title(layer),
                          "|" + hook + "| on input 0: outlier tokens in magenta, outlier channels labelled.",
                          {ctx.layer_title(layer), std::move(l)});
      fig.group = "landscape";
      out.push_back(std::move(fig));
    }
  }
  if (!activations.has("sites")) return;
  const JsonField sites = activations.at("sites");
  for (const char* site : kSites) {
    if (!sites.has(site)) continue;
    const JsonField per_layer = sites.at(site).at("per_layer");
    Figure curves = single("layer_magnitudes_" + std::string(site), ctx.model + " layer-wise " + site,
                           "Top-1/2/3 and median |x| per layer (means over inputs).",
                           {ctx.model + " layer-wise " + site, magnitude_curves(per_layer, ctx)});
    curves.group = "layer_curves";
    out.push_back(std::move(curves));
    Figure scatter = single("top_channels_" + std::string(site), ctx.model + " top channels, " + site,
                            "Channel of the largest and second-largest |x| per layer.",
                            {ctx.model + " top channels, " + site, channel_scatter(per_layer, ctx)});
    scatter.group = "top_indices";
    out.push_back(std::move(scatter));
  }
  if (activations.has("token_classes")) {
    Figure bars = single("token_classes_activations", ctx.model + " activation outlier tokens",
                         "Token classes of the resid_post outlier tokens over all inputs.",
                         {ctx.model + " activation outlier tokens", token_class_bars(activations.at("token_classes"))});
    bars.group = "token_classes";
    out.push_back(std::move(bars));
  }
}

}  // namespace osc::report::detail
