#include "analysis/layer_sweep.h"

#include "analysis/model_capture.h"
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

// Whether the weights and the captures projected from layer 0's outgrow the budget.
bool exceeds_budget(const Model& model, const std::vector<InFlight>& flights, uint64_t budget) {
  const int64_t n_layers = model.config().n_layers;
  uint64_t weights = total_bytes(layer_byte_ranges(model.weights(), -1));
  for (int64_t l = 0; l < n_layers; ++l) weights += total_bytes(layer_byte_ranges(model.weights(), l));
  const uint64_t captures = captured_bytes(flights) * static_cast<uint64_t>(n_layers);
  return weights + captures > budget;
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

}  // namespace

SweepResult sweep_layers(const Model& model, std::vector<InputSequence> inputs, const LayerWeights& weights,
                         const SweepOptions& options) {
  const ModelConfig& c = model.config();
  SweepResult result;
  std::vector<InFlight> flights = embed_inputs(model, std::move(inputs), options.with_attention);
  Progress progress("forward", c.n_layers, "layers", options.quiet);
  read_ahead(layer_byte_ranges(model.weights(), 0));
  for (int64_t l = 0; l < c.n_layers; ++l) {
    if (l + 1 < c.n_layers) read_ahead(layer_byte_ranges(model.weights(), l + 1));
    if (options.weight_statistics)
      result.weight_layers.push_back(
          analyze_layer_weights(weights[static_cast<size_t>(l)], l, options.weight_thresholds));
    for (InFlight& f : flights) forward_layers(c, model.bound_weights(), f.hooks, {l, l + 1}, f.x);
    if (l == 0) result.releases_pages = exceeds_budget(model, flights, options.memory_budget);
    if (result.releases_pages) {
      result.bytes_released += release_pages(layer_byte_ranges(model.weights(), l));
      ++result.layers_released;
    }
    progress.update(l + 1);
  }
  progress.finish();
  result.captures = finish_inputs(model, flights);
  if (result.releases_pages) result.bytes_released += release_pages(layer_byte_ranges(model.weights(), -1));
  return result;
}

}  // namespace osc::analysis
