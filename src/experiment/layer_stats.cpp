#include "experiment/layer_stats.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/stats.h"
#include "core/error.h"
#include "experiment/engine_model.h"
#include "hooks/hook_set.h"
#include "hooks/hook_vocabulary.h"

namespace osc::experiment {
namespace {

using train::GptModel;

// The engine's hook points of one window (resid_post, attention weights, extra-slot weights).
HookSet window_hooks(const Model& engine, const TokenWindows& windows, int64_t window) {
  HookSet hooks;
  hooks.require_finite();  // statistics over NaN would look like findings
  for (HookPoint p : {HookPoint::ResidPost, HookPoint::Pattern, HookPoint::ExtraWeight}) hooks.capture(hook_glob(p));
  const int32_t* tokens = windows.tokens_of(window);
  engine.forward(std::vector<int32_t>(tokens, tokens + windows.seq), hooks);
  return hooks;
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

// Attention in layer l: weight on key 0 (queries >= 1) and on the extra slot (v′ of
// attn_bias/ctx_bias/fixed_bias, softmax1's implicit zero value; 0 for variants without one).
void add_attention(const HookSet& hooks, int64_t l, int64_t T, LayerStats& s) {
  const Tensor& pattern = hooks.get(hook_name(l, HookPoint::Pattern));  // [H, T, T]
  const auto extra = hooks.captured().find(hook_name(l, HookPoint::ExtraWeight));  // [H, T]
  const int64_t H = pattern.shape[0];
  double first = 0.0, extra_sum = 0.0;
  for (int64_t h = 0; h < H; ++h)
    for (int64_t q = 0; q < T; ++q) {
      if (q > 0) first += pattern.data[static_cast<size_t>((h * T + q) * T)];
      if (extra != hooks.captured().end()) extra_sum += extra->second.data[static_cast<size_t>(h * T + q)];
    }
  s.first_token_attention += T > 1 ? first / static_cast<double>(H * (T - 1)) : 0.0;
  s.extra_attention += extra_sum / static_cast<double>(H * T);
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

std::vector<LayerStats> measure_layer_stats(const GptModel& trained, const TokenWindows& windows, int64_t max_windows) {
  OSC_CHECK_INPUT(max_windows >= 1, "layer statistics", "the window count must be >= 1");
  const int64_t count = std::min(windows.count, max_windows), T = windows.seq, D = trained.config().dim;
  OSC_CHECK_INPUT(count >= 1, "layer statistics", "no validation windows");
  const Model engine = engine_model(trained);
  std::vector<LayerStats> stats(static_cast<size_t>(trained.config().layers));
  for (int64_t w = 0; w < count; ++w) {
    const HookSet hooks = window_hooks(engine, windows, w);
    for (int64_t l = 0; l < trained.config().layers; ++l) {
      const float* x = hooks.get(hook_name(l, HookPoint::ResidPost)).ptr();  // [T, D]
      LayerStats& s = stats[static_cast<size_t>(l)];
      add_magnitudes(x, T, D, s);
      add_norm_ratio_and_kurtosis(x, T, D, s);
      add_attention(hooks, l, T, s);
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
  const int64_t T = windows.seq, D = trained.config().dim, shown = std::min(T, std::max<int64_t>(1, max_positions));
  const HookSet hooks = window_hooks(engine_model(trained), windows, 0);
  const float* x = hooks.get(hook_name(layer, HookPoint::ResidPost)).ptr();  // [T, D]
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
  return {{"layer", layer}, {"hook", hook_name(layer, HookPoint::ResidPost)},
          {"positions", positions}, {"pieces", names}, {"channels", channels}, {"abs_values", values}};
}

}  // namespace osc::experiment
