#include "analysis/layer_sweep.h"

#include <cstdio>

#include "analysis/model_capture.h"
#include "core/error.h"
#include "core/progress.h"
#include "model/forward.h"
#include "model/weight_pages.h"

namespace osc::analysis {
namespace {

// One input between layers: its hooks (with what they captured so far) and its residual stream.
struct InFlight {
  InputSequence input;
  HookSet hooks;
  Tensor x;  // [T, d_model]
};

// Every input embedded, with the hooks capture_inputs would set (input 0 in full detail).
std::vector<InFlight> embed_inputs(const Model& model, std::vector<InputSequence> inputs, bool with_attention) {
  std::vector<InFlight> flights(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    InFlight& f = flights[i];
    f.hooks.require_finite();  // statistics over NaN would look like findings (every position a sink)
    for (const auto& g : capture_globs(i == 0, with_attention)) f.hooks.capture(g);
    const std::vector<int32_t> ids(inputs[i].token_ids.begin(), inputs[i].token_ids.end());
    f.x = forward_embed(model.config(), model.bound_weights(), ids, f.hooks);
    f.input = std::move(inputs[i]);
  }
  return flights;
}

uint64_t captured_bytes(const std::vector<InFlight>& flights) {
  uint64_t bytes = 0;
  for (const auto& f : flights)
    for (const auto& [name, t] : f.hooks.captured()) bytes += static_cast<uint64_t>(t.numel()) * sizeof(float);
  return bytes;
}

// The head on every input; hands over the captures, freeing each input's state on the way.
std::vector<Capture> finish_inputs(const Model& model, std::vector<InFlight>& flights) {
  std::vector<Capture> out;
  for (InFlight& f : flights) {
    forward_head(model.config(), model.bound_weights(), f.hooks, f.x);
    f.x = Tensor();
    out.push_back(Capture{std::move(f.input), f.hooks.take_captured()});
  }
  return out;
}

// The captures cannot be given back: past the memory this process can get, the scan would be
// OOM-killed in its analyses, so it stops after layer 0 with what to reduce.
void check_captures_fit(uint64_t projected, size_t n_inputs, uint64_t available) {
  OSC_CHECK_INPUT(projected <= available, "scan",
                  "the captures of " + std::to_string(n_inputs) + " inputs need " + gib(projected) +
                      ", more than the " + gib(available) +
                      " of memory available; scan fewer or shorter windows (--max-windows, --max-tokens)");
}

}  // namespace

std::string gib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

bool exceeds_budget(const Model& model, uint64_t other_bytes, uint64_t budget) {
  uint64_t weights = total_bytes(layer_byte_ranges(model.weights(), -1));
  for (int64_t l = 0; l < model.config().n_layers; ++l) weights += total_bytes(layer_byte_ranges(model.weights(), l));
  return weights + other_bytes > budget;
}

PageRelease visit_layers(const Model& model, const LayerLoop& loop) {
  const int64_t n_layers = model.config().n_layers;
  PageRelease released;
  Progress progress(loop.label, n_layers, "layers", loop.quiet);
  read_ahead(layer_byte_ranges(model.weights(), 0));
  for (int64_t l = 0; l < n_layers; ++l) {
    if (l + 1 < n_layers) read_ahead(layer_byte_ranges(model.weights(), l + 1));
    loop.run_layer(l);
    if (l == 0) released.releases_pages = loop.over_budget();
    if (released.releases_pages) {
      released.bytes_released += release_pages(layer_byte_ranges(model.weights(), l));
      ++released.layers_released;
    }
    progress.update(l + 1);
  }
  progress.finish();
  return released;
}

void release_rest(const Model& model, PageRelease& released) {
  if (released.releases_pages) released.bytes_released += release_pages(layer_byte_ranges(model.weights(), -1));
}

SweepResult sweep_layers(const Model& model, std::vector<InputSequence> inputs, const LayerWeights& weights,
                         const SweepOptions& options) {
  const ModelConfig& c = model.config();
  SweepResult result;
  std::vector<InFlight> flights = embed_inputs(model, std::move(inputs), options.with_attention);
  LayerLoop loop;
  loop.label = "forward";
  loop.quiet = options.quiet;
  loop.run_layer = [&](int64_t l) {
    if (options.weight_statistics)
      result.weight_layers.push_back(
          analyze_layer_weights(weights[static_cast<size_t>(l)], l, options.weight_thresholds));
    for (InFlight& f : flights) forward_layers(c, model.bound_weights(), f.hooks, {l, l + 1}, f.x);
  };
  // The captures projected from layer 0's.
  loop.over_budget = [&] {
    const uint64_t projected = captured_bytes(flights) * static_cast<uint64_t>(c.n_layers);
    check_captures_fit(projected, flights.size(), options.memory_available);
    return exceeds_budget(model, projected, options.memory_budget);
  };
  static_cast<PageRelease&>(result) = visit_layers(model, loop);
  result.captured_bytes = captured_bytes(flights);
  result.captures = finish_inputs(model, flights);
  release_rest(model, result);
  return result;
}

}  // namespace osc::analysis
