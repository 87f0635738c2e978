#include "experiment/layer_stats.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/stats.h"
#include "core/error.h"

namespace osc::experiment {
namespace {

using train::GptModel;

// A model with buffers for `batch` windows and the trained parameters.
GptModel evaluation_copy(const GptModel& trained, int64_t batch) {
  GptModel m(trained.config(), batch);
  m.params().values = trained.params().values;
  return m;
}

void add_magnitudes(const float* x, int64_t T, int64_t D, LayerStats& s) {  // x: [T, D]
  std::vector<float> a(static_cast<size_t>(T * D));
  for (size_t i = 0; i < a.size(); ++i) a[i] = std::fabs(x[i]);
  s.median += analysis::median_abs(a.data(), T * D);
  std::partial_sort(a.begin(), a.begin() + std::min<int64_t>(3, T * D), a.end(), std::greater<float>());
  s.top1 += a[0];
  s.top2 += a.size() > 1 ? a[1] : 0.0f;
  s.top3 += a.size() > 2 ? a[2] : 0.0f;
}

void add_norm_ratio_and_kurtosis(const float* x, int64_t T, int64_t D, LayerStats& s) {
  std::vector<float> other_norms;
  double first_norm = 0.0, kurtosis = 0.0;
  for (int64_t t = 0; t < T; ++t) {
    const float* row = x + t * D;
    double mean = 0.0, norm2 = 0.0;
    for (int64_t c = 0; c < D; ++c) mean += row[c], norm2 += static_cast<double>(row[c]) * row[c];
    mean /= static_cast<double>(D);
    double m2 = 0.0, m4 = 0.0;
    for (int64_t c = 0; c < D; ++c) {
      const double d2 = (row[c] - mean) * (row[c] - mean);
      m2 += d2, m4 += d2 * d2;
    }
    m2 /= static_cast<double>(D), m4 /= static_cast<double>(D);
    kurtosis += m2 > 0.0 ? m4 / (m2 * m2) : 0.0;
    if (t == 0) first_norm = std::sqrt(norm2);
    else other_norms.push_back(static_cast<float>(std::sqrt(norm2)));
  }
  s.kurtosis += kurtosis / static_cast<double>(T);
  const double others = other_norms.empty() ? 0.0 : analysis::median_of(other_norms);
  s.first_token_norm_ratio += others > 0.0 ? first_norm / others : 0.0;
}

// Attention of window b in layer l: weight on key 0 (queries >= 1) and on the extra slot (v′ of
// attn_bias/ctx_bias/fixed_bias, softmax1's implicit zero value; 0 for variants without one).
void add_attention(const GptModel& m, int64_t l, int64_t b, int64_t T, LayerStats& s) {
  const int64_t H = m.config().heads;
  const train::AttentionSaved& a = m.layer(l).attn;
  std::vector<float> row(static_cast<size_t>(T));
  double first = 0.0, extra = 0.0;
  for (int64_t h = 0; h < H; ++h)
    for (int64_t q = 0; q < T; ++q) {
      const float* saved = a.weights.data() + ((b * H + h) * T + q) * T;
      const float* w = saved;
      if (!m.variant().saved_is_weights()) {
        m.variant().effective_weights(saved, q + 1, row.data());
        w = row.data();
      }
      if (q > 0) first += w[0];
      extra += a.weights_extra[static_cast<size_t>((b * H + h) * T + q)];
    }
  s.first_token_attention += T > 1 ? first / static_cast<double>(H * (T - 1)) : 0.0;
  s.extra_attention += extra / static_cast<double>(H * T);
}

void average(std::vector<LayerStats>& stats, int64_t windows) {
  const double n = static_cast<double>(windows);
  for (auto& s : stats) {
    for (double* v : {&s.top1, &s.top2, &s.top3, &s.median, &s.first_token_norm_ratio, &s.first_token_attention,
                      &s.extra_attention, &s.kurtosis})
      *v /= n;
    s.ratio = s.median > 0.0 ? s.top1 / s.median : 0.0;
  }
}

}  // namespace

std::vector<LayerStats> measure_layer_stats(const GptModel& trained, const TokenWindows& windows, int64_t max_windows,
                                            int64_t batch) {
  OSC_CHECK_INPUT(batch >= 1 && max_windows >= 1, "layer statistics", "batch and window count must be >= 1");
  const int64_t count = std::min(windows.count, max_windows), T = windows.seq, D = trained.config().dim;
  OSC_CHECK_INPUT(count >= 1, "layer statistics", "no validation windows");
  GptModel m = evaluation_copy(trained, std::min(batch, count));
  std::vector<LayerStats> stats(static_cast<size_t>(m.config().layers));
  for (int64_t first = 0; first < count; first += batch) {
    const int64_t n = std::min(batch, count - first);
    m.forward(windows.tokens_of(first), windows.targets_of(first), n, T, 0.0f);
    for (int64_t l = 0; l < m.config().layers; ++l)
      for (int64_t b = 0; b < n; ++b) {
        const float* x = m.residual(l + 1).data() + b * T * D;  // resid_post of layer l, [T, D]
        LayerStats& s = stats[static_cast<size_t>(l)];
        add_magnitudes(x, T, D, s);
        add_norm_ratio_and_kurtosis(x, T, D, s);
        add_attention(m, l, b, T, s);
      }
  }
  average(stats, count);
  return stats;
}

nlohmann::json residual_landscape(const GptModel& trained, const TokenWindows& windows, int64_t layer,
                                  int64_t max_positions, const std::vector<std::string>& pieces) {
  OSC_CHECK_INPUT(layer >= 0 && layer < trained.config().layers, "landscape layer",
                  std::to_string(layer) + " is outside 0.." + std::to_string(trained.config().layers - 1));
  OSC_CHECK_INPUT(windows.count >= 1, "landscape", "no validation windows");
  GptModel m = evaluation_copy(trained, 1);
  const int64_t T = windows.seq, D = m.config().dim, shown = std::min(T, std::max<int64_t>(1, max_positions));
  m.forward(windows.tokens_of(0), windows.targets_of(0), 1, T, 0.0f);
  const float* x = m.residual(layer + 1).data();  // [T, D]
  nlohmann::json positions = nlohmann::json::array(), names = nlohmann::json::array(),
                 channels = nlohmann::json::array(), values = nlohmann::json::array();
  for (int64_t c = 0; c < D; ++c) channels.push_back(c);
  for (int64_t t = 0; t < shown; ++t) {
    positions.push_back(t);
    const int32_t id = windows.tokens_of(0)[t];
    names.push_back(id >= 0 && id < static_cast<int64_t>(pieces.size()) ? pieces[static_cast<size_t>(id)]
                                                                        : "#" + std::to_string(id));
    nlohmann::json row = nlohmann::json::array();
    for (int64_t c = 0; c < D; ++c) row.push_back(std::fabs(x[t * D + c]));
    values.push_back(std::move(row));
  }
  return {{"layer", layer}, {"hook", "blocks." + std::to_string(layer) + ".hook_resid_post"},
          {"positions", positions}, {"pieces", names}, {"channels", channels}, {"abs_values", values}};
}

}  // namespace osc::experiment
