#include "analysis/down_terms.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "analysis/activation_outliers.h"
#include "analysis/routed_entries.h"
#include "analysis/stats.h"
#include "analysis/weight_outliers.h"

namespace osc::analysis {
namespace {

// Appends post_row[j] · W[channel, j] · g for every column j of W [d_model, d_ff].
void add_terms(const TensorView& w, const float* post_row, int64_t channel, int64_t expert, double g,
               std::vector<DownTerm>& out) {
  std::vector<float> row(static_cast<size_t>(w.row_length()));
  w.row_to_f32(channel, row.data());
  for (size_t j = 0; j < row.size(); ++j) {
    const double a = post_row[j], wj = row[j];
    out.push_back({expert, static_cast<int64_t>(j), g, a, wj, expert < 0 ? a * wj : g * a * wj});
  }
}

bool fits(const TensorView* w, int64_t channel, int64_t width) {
  return w && w->rank() == 2 && channel >= 0 && channel < w->rows() && w->row_length() == width;
}

}  // namespace

std::vector<DownTerm> down_terms(const Capture& capture, const LayerWeights& weights, int64_t layer,
                                 int64_t position, int64_t channel) {
  std::vector<DownTerm> out;
  const std::string post_hook = hook_name(kMlpPost, layer);
  const Tensor* post = find_hook(capture, post_hook);
  if (!post) return out;
  const MatrixRef m = token_matrix(*post, post_hook);  // [T, d_ff] or [T, E·d_ff]
  if (position < 0 || position >= m.rows) return out;
  const std::string routing_hook = hook_name(kExpertWeights, layer);
  const Tensor* routing = find_hook(capture, routing_hook);
  if (!routing) {
    const TensorView* down = find_module(weights, layer, "down");
    if (fits(down, channel, m.cols)) add_terms(*down, m.row(position), channel, -1, 1.0, out);
    return out;
  }
  const MatrixRef g = token_matrix(*routing, routing_hook);  // [T, E]
  if (g.cols <= 0 || m.cols % g.cols != 0 || g.rows != m.rows) return out;
  const int64_t width = m.cols / g.cols;
  for (int64_t e = 0; e < g.cols; ++e) {
    if (g.at(position, e) == 0.0f) continue;  // not routed: the expert does not run on this token
    const TensorView* down = find_module(weights, layer, expert_module(e, "down"));
    if (!fits(down, channel, width)) return {};
    add_terms(*down, m.row(position) + e * width, channel, e, g.at(position, e), out);
  }
  return out;
}

std::vector<DownTerm> largest_terms(const std::vector<DownTerm>& terms, size_t top) {
  std::vector<float> magnitude(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) magnitude[i] = static_cast<float>(std::fabs(terms[i].contribution));
  std::vector<DownTerm> out;
  for (int64_t i : top_k_indices(magnitude, static_cast<int64_t>(top))) out.push_back(terms[static_cast<size_t>(i)]);
  return out;
}

double sum_of_contributions(const std::vector<DownTerm>& terms) {
  double total = 0.0;
  for (const auto& t : terms) total += t.contribution;
  return total;
}

int64_t expert_width(const Capture& capture, int64_t layer) {
  const std::string post_hook = hook_name(kMlpPost, layer), routing_hook = hook_name(kExpertWeights, layer);
  const Tensor* post = find_hook(capture, post_hook);
  const Tensor* routing = find_hook(capture, routing_hook);
  if (!post || !routing) return 0;
  const int64_t experts = token_matrix(*routing, routing_hook).cols;
  return experts > 0 ? token_matrix(*post, post_hook).cols / experts : 0;
}

int64_t post_channel(const DownTerm& t, int64_t expert_width) {
  return t.expert < 0 ? t.column : t.expert * expert_width + t.column;
}

nlohmann::json down_term_json(const DownTerm& t, double share, int64_t expert_width) {
  nlohmann::json j = {{"column", t.column}, {"contribution", t.contribution}, {"share", share},
                      {"activation", t.activation}, {"weight", t.weight}};
  if (t.expert < 0) return j;
  j["expert"] = t.expert;
  j["routing_weight"] = t.routing_weight;
  j["mlp_post_channel"] = post_channel(t, expert_width);
  return j;
}

}  // namespace osc::analysis
