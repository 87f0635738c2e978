// The forward passes of a scan, layer-major: every input through layer l (its hooks captured), and
// layer l's weight statistics, before any input enters layer l + 1. Each weight is then read from
// its file once however many inputs there are, while the next layer's tensors are read ahead
// (page cache) and, past the memory budget, the pages of each finished layer are given back.
//
// Peak RSS, past the budget: the weights of the layer being computed (its pages are unmapped after
// it; the next layer's read-ahead sits in the page cache, outside RSS) + the embedding rows and
// the head at the end + every input's residual stream [T, d_model] + the captures of all inputs
// (what capture_inputs would hold) + one input's temporaries of one block. Within the budget
// nothing is given back (the page cache keeps the model for the next run).
//
// The captures are those of capture_inputs (the window-major reference: same hooks, same numbers,
// same order); only the order in which a non-finite value is met can differ (the first layer
// holding one rather than the first input).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/capture.h"
#include "analysis/lifecycle.h"
#include "analysis/thresholds.h"
#include "analysis/weight_outliers.h"
#include "model/model.h"

namespace osc::analysis {

struct SweepOptions {
  bool weight_statistics = false;  // also analyze_layer_weights of every layer
  WeightThresholds weight_thresholds;
  bool with_attention = true;      // capture the attention maps (capture_globs)
  // Bytes the model's weights and the captures may fill; past it the pages of each finished layer
  // are given back. The captures are projected from layer 0's (x n_layers).
  uint64_t memory_budget = UINT64_MAX;
  // Bytes this process can get at all (MemAvailable at start): captures projected past it are
  // refused after layer 0 (BadInput naming --max-windows / --max-tokens) rather than OOM-killed.
  uint64_t memory_available = UINT64_MAX;
  bool quiet = false;
};

struct PageRelease {
  bool releases_pages = false;  // the budget was exceeded
  int64_t layers_released = 0;  // layers whose pages were given back
  uint64_t bytes_released = 0;
};

struct SweepResult : PageRelease {
  std::vector<Capture> captures;                  // one per input, as capture_inputs gives them
  uint64_t captured_bytes = 0;                    // what `captures` hold
  std::vector<LayerWeightSummary> weight_layers;  // per layer; empty without weight_statistics
};

// The layer loop of every layer-major pass (the scan's sweep, the ablation's): for each layer l,
// the read-ahead of layer l + 1's tensors, `run_layer(l)` (every input through layer l), and, when
// `over_budget()` (asked once, after layer 0) said so, the release of layer l's pages. A progress
// line `label` counts the layers. Returns what was released; release_rest gives back the
// embeddings and head once the caller has run the head.
struct LayerLoop {
  std::string label;
  std::function<void(int64_t layer)> run_layer;
  std::function<bool()> over_budget;
  bool quiet = false;
};
PageRelease visit_layers(const Model& model, const LayerLoop& loop);
void release_rest(const Model& model, PageRelease& released);

// Whether the model's weights plus `other_bytes` (what the pass will hold besides) exceed `budget`.
bool exceeds_budget(const Model& model, uint64_t other_bytes, uint64_t budget);

// "N.N GiB": the figures of the memory refusals.
std::string gib(uint64_t bytes);

// `weights` are the model's linear weights by layer (model_linear_weights). BadInput when the
// captures, projected from layer 0's, exceed options.memory_available.
SweepResult sweep_layers(const Model& model, std::vector<InputSequence> inputs, const LayerWeights& weights,
                         const SweepOptions& options);

}  // namespace osc::analysis
