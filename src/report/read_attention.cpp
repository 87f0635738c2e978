// attention section -> layer-wise received-attention curves, the head-averaged attention map at a
// later layer (sink column highlighted), sink share per layer x head, received attention per head
// and key for every layer (static image for the pattern's layer only), and token classes.
#include "report/reader_parts.h"

namespace osc::report::detail {
namespace {

std::vector<std::string> numbered(const std::string& prefix, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

Curves received_curves(const JsonField& per_layer, const Context& ctx) {
  Curves c;
  c.x = ctx.layer_axis();
  const auto n = static_cast<size_t>(ctx.n_layers);
  for (const char* key : {"top1", "top2", "median"}) {
    if (!per_layer.has(key)) continue;
    c.series.push_back({key[0] == 't' ? std::string("Top ") + key[3] : "Median", per_layer.at(key).numbers(n)});
  }
  c.x_axis = "layer (0-based)";
  c.y_axis = "attention received (sum over queries)";
  return c;
}

// Sink keys of the pattern's layer and input, from the attention outliers.
std::vector<int64_t> sink_keys(const JsonField& attention, int64_t layer, int64_t input) {
  std::vector<int64_t> keys;
  if (!attention.has("outliers")) return keys;
  const JsonField outliers = attention.at("outliers");
  for (size_t i = 0; i < outliers.size(); ++i) {
    const JsonField o = outliers.at(i);
    if (o.at("layer").integer() == layer && o.at("input").integer() == input) keys.push_back(o.at("position").integer());
  }
  return keys;
}

void add_pattern(const JsonField& attention, const Context& ctx, std::vector<Figure>& out) {
  const JsonField p = attention.at("pattern");
  const int64_t layer = p.at("layer").integer();
  Heatmap h;
  h.row_labels = p.at("pieces").texts();
  h.column_labels = h.row_labels;
  h.values = p.at("head_mean").matrix(h.row_labels.size(), h.row_labels.size());
  h.highlight_columns = sink_keys(attention, layer, p.has("input") ? p.at("input").integer() : 0);
  h.lower_triangle = true;
  h.x_axis = "key";
  h.y_axis = "query";
  h.value_axis = "attention (head mean)";
  Figure fig = single("attention_L" + std::to_string(layer), ctx.layer_title(layer),
                      "Head-averaged attention pattern on input 0; sink keys outlined in magenta.",
                      {ctx.layer_title(layer), std::move(h)});
  fig.group = "attention";
  out.push_back(std::move(fig));
}

void add_sink_share(const JsonField& attention, const Context& ctx, std::vector<Figure>& out) {
  Heatmap h;
  h.values = attention.at("sink_share_by_head").matrix(static_cast<size_t>(ctx.n_layers));
  h.row_labels = numbered("L", h.values.size());
  h.column_labels = numbered("H", h.values.empty() ? 0 : h.values[0].size());
  h.x_axis = "head";
  h.y_axis = "layer";
  h.value_axis = "share of attention on sink keys";
  Figure fig = single("attention_sink_share_heads", ctx.model + " sink share per head",
                      "Share of each head's attention that lands on the detected outlier keys.",
                      {ctx.model + " sink share per head", std::move(h)});
  fig.group = "attention";
  out.push_back(std::move(fig));
}

// One heat map per layer: received attention [heads][keys] on input 0.
void add_received_by_head(const JsonField& attention, const Context& ctx, int64_t static_layer, std::vector<Figure>& out) {
  const JsonField received = attention.at("received");
  const auto pieces = received.at("pieces").texts();
  const JsonField by_layer = received.at("by_layer_head_key");
  for (size_t l = 0; l < by_layer.size(); ++l) {
    Heatmap h;
    h.values = by_layer.at(l).matrix(JsonField::kAnySize, pieces.size());
    h.row_labels = numbered("H", h.values.size());
    h.column_labels = pieces;
    h.x_axis = "key";
    h.y_axis = "head";
    h.value_axis = "attention received";
    const auto layer = static_cast<int64_t>(l);
    Figure fig = single("attention_received_L" + std::to_string(layer), ctx.layer_title(layer),
                        "Attention received by each key (sum over queries), per head.",
                        {ctx.layer_title(layer), std::move(h)});
    fig.group = "attention_received";
    fig.static_image = layer == static_layer;
    out.push_back(std::move(fig));
  }
}

}  // namespace

void add_attention_figures(const JsonField& attention, const Context& ctx, std::vector<Figure>& out) {
  if (attention.has("per_layer")) {
    Figure fig = single("attention_per_layer", ctx.model + " layer-wise attention received",
                        "Top-1/2 and median attention received by a key per layer (head mean).",
                        {ctx.model + " layer-wise attention received", received_curves(attention.at("per_layer"), ctx)});
    fig.group = "layer_curves";
    out.push_back(std::move(fig));
  }
  int64_t pattern_layer = 0;
  if (attention.has("pattern")) {
    add_pattern(attention, ctx, out);
    pattern_layer = attention.at("pattern").at("layer").integer();
  }
  if (attention.has("sink_share_by_head")) add_sink_share(attention, ctx, out);
  if (attention.has("received")) add_received_by_head(attention, ctx, pattern_layer, out);
  if (attention.has("token_classes")) {
    Figure bars = single("token_classes_attention", ctx.model + " attention outlier tokens",
                         "Token classes of the attention outlier keys over all inputs.",
                         {ctx.model + " attention outlier keys", token_class_bars(attention.at("token_classes"))});
    bars.group = "token_classes";
    out.push_back(std::move(bars));
  }
}

}  // namespace osc::report::detail
