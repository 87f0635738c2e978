#include "analysis/activation_landscape.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis/lifecycle.h"

namespace osc::analysis {
namespace {

constexpr int64_t kMaxPositions = 64;
constexpr int64_t kMaxChannels = 4096;

std::vector<int64_t> shown_channels(int64_t width, const std::vector<int64_t>& highlighted) {
  std::set<int64_t> picked(highlighted.begin(), highlighted.end());
  const int64_t step = std::max<int64_t>(1, (width + kMaxChannels - 1) / kMaxChannels);
  for (int64_t c = 0; c < width; c += step) picked.insert(c);
  return {picked.begin(), picked.end()};
}

// Outlier channels/positions of one site at one layer and input, largest first.
void site_highlights(const SiteAnalysis& s, int64_t layer, int64_t input, std::vector<int64_t>& positions,
                     std::vector<int64_t>& channels) {
  for (const auto& o : s.outliers) {
    if (o.layer != layer || o.input != input) continue;
    if (std::find(positions.begin(), positions.end(), o.position) == positions.end()) positions.push_back(o.position);
    if (std::find(channels.begin(), channels.end(), o.channel) == channels.end()) channels.push_back(o.channel);
  }
}

int64_t landscape_layer(const SiteAnalysis& resid) {
  const int64_t first = first_outlier_layer(resid);
  if (first >= 0) return first;
  return static_cast<int64_t>(std::max_element(resid.top1.begin(), resid.top1.end()) - resid.top1.begin());
}

}  // namespace

nlohmann::json activation_landscape(const Capture& capture, int64_t input, const std::string& hook_pattern,
                                    int64_t layer, const std::vector<int64_t>& highlight_positions,
                                    const std::vector<int64_t>& highlight_channels) {
  const std::string hook = hook_name(hook_pattern, layer);
  const MatrixRef m = token_matrix(require_hook(capture, hook), hook);
  std::vector<int64_t> positions;
  for (int64_t p = 0; p < std::min(m.rows, kMaxPositions); ++p) positions.push_back(p);
  const std::vector<int64_t> channels = shown_channels(m.cols, highlight_channels);
  std::vector<std::string> pieces;
  std::vector<std::vector<float>> values;
  for (int64_t p : positions) {
    pieces.push_back(p < static_cast<int64_t>(capture.input.pieces.size()) ? capture.input.pieces[static_cast<size_t>(p)] : "");
    std::vector<float> row;
    for (int64_t c : channels) row.push_back(std::fabs(m.at(p, c)));
    values.push_back(std::move(row));
  }
  return {{"layer", layer}, {"input", input}, {"hook", hook}, {"positions", positions}, {"pieces", pieces},
          {"channels", channels}, {"highlight_positions", highlight_positions},
          {"highlight_channels", highlight_channels}, {"abs_values", values}};
}

nlohmann::json activations_json(const SiteAnalysis& resid, const SiteAnalysis* mlp_post,
                                const std::vector<Capture>& captures, const ActivationThresholds& thresholds) {
  nlohmann::json sites = {{resid.name, site_to_json(resid, captures, thresholds)}};
  if (mlp_post) sites[mlp_post->name] = site_to_json(*mlp_post, captures, thresholds);
  const int64_t layer = landscape_layer(resid);
  const OutlierSite site = emergence_site(resid);
  const int64_t input = site.input >= 0 ? site.input : 0;
  const Capture& capture = captures[static_cast<size_t>(input)];
  std::vector<int64_t> positions, channels;
  site_highlights(resid, layer, input, positions, channels);
  nlohmann::json landscapes = {{resid.name, activation_landscape(capture, input, resid.hook_pattern, layer, positions, channels)}};
  if (mlp_post && layer < mlp_post->n_layers) {
    std::vector<int64_t> mlp_positions, mlp_channels;
    site_highlights(*mlp_post, layer, input, mlp_positions, mlp_channels);
    landscapes[mlp_post->name] =
        activation_landscape(capture, input, mlp_post->hook_pattern, layer, mlp_positions, mlp_channels);
  }
  return {{"sites", sites},
          {"token_classes", token_class_counts_to_json(outlier_token_classes(resid, captures))},
          {"landscapes", landscapes}};
}

}  // namespace osc::analysis
