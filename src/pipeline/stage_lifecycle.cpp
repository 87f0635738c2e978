#include "pipeline/stage_lifecycle.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <string>

#include "analysis/lifecycle.h"
#include "analysis/model_capture.h"
#include "analysis/outlier_writers.h"
#include "dist/communicator.h"
#include "pipeline/json_bytes.h"

namespace osc::pipeline {
namespace {

using analysis::LayerWeights;
using analysis::LinearWeight;

// The kinds of message of the lifecycle (apart from the other pipeline files').
enum Tag : int { kLayers = 31, kModules = 32 };

// The layers whose weights lifecycle_json reads, found by running its weight-reading steps
// without weights: the emergence layer, the disappearance layer, each entry's first flagged layer.
std::set<int64_t> layers_read(const analysis::SiteAnalysis& resid, const std::vector<analysis::Capture>& captures,
                              const analysis::ActivationThresholds& t) {
  const analysis::OutlierSite site = analysis::emergence_site(resid);
  if (site.layer < 0) return {};
  const LayerWeights none;
  std::set<int64_t> layers = {site.layer};
  const nlohmann::json gone = analysis::disappearance_json(site, captures[static_cast<size_t>(site.input)], none, t);
  if (gone["layer"].is_number_integer()) layers.insert(gone["layer"].get<int64_t>());
  for (const analysis::EntryWriters& e : analysis::attribute_writers(resid, captures, none, t.writer_share))
    layers.insert(e.layer);
  return layers;
}

// The matrices of a layer that the lifecycle reads: the MLP's (dense or each expert's) and o.
bool lifecycle_reads(const std::string& module) {
  std::string kind = module;
  analysis::module_expert(module, &kind);
  return kind == "o" || kind == "down" || kind == "gate" || kind == "up";
}

// [[module, dtype, shape, bytes], ...] of one of this rank's layers.
nlohmann::json modules_json(const std::vector<LinearWeight>& layer) {
  nlohmann::json out = nlohmann::json::array();
  for (const LinearWeight& m : layer) {
    if (!lifecycle_reads(m.module)) continue;
    const auto* data = static_cast<const std::uint8_t*>(m.view.data);
    out.push_back({m.module, static_cast<int>(m.view.dtype), m.view.shape,
                   nlohmann::json::binary(std::vector<std::uint8_t>(data, data + m.view.nbytes))});
  }
  return out;
}

std::vector<LinearWeight> modules_of(const nlohmann::json& j) {
  std::vector<LinearWeight> layer;
  for (const nlohmann::json& m : j) {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(m[3].get_binary());
    TensorView view;
    view.dtype = static_cast<DType>(m[1].get<int>());
    view.shape = m[2].get<Shape>();
    view.data = bytes->data();
    view.nbytes = bytes->size();
    view.owner = std::move(bytes);
    layer.push_back({m[0].get<std::string>(), std::move(view)});
  }
  return layer;
}

int owner_of(int64_t layer, int64_t n_layers) {
  int owner = 0;
  while (!stage_layers(n_layers, owner, dist::size()).contains(layer, n_layers)) ++owner;
  return owner;
}

std::string modules_of_layer(int64_t layer) { return "the MLP and o matrices of layer " + std::to_string(layer); }

// Ranks 1..N-1: the layers rank 0 asks for, those of them this rank holds sent in that order.
void answer(const LayerPipeline& job, const LayerWeights& weights) {
  const auto asked = json_of(dist::receive_sized(0, kLayers, "the layers the lifecycle reads")).get<std::vector<int64_t>>();
  const int64_t n_layers = job.model().config().n_layers;
  for (int64_t layer : asked)
    if (job.layers().contains(layer, n_layers))
      dist::send_sized(bytes_of(modules_json(weights[static_cast<size_t>(layer)])), 0, kModules, modules_of_layer(layer));
}

}  // namespace

nlohmann::json stage_lifecycle(const LayerPipeline& job, const analysis::SiteAnalysis* resid,
                               const std::vector<analysis::Capture>* captures,
                               const analysis::ActivationThresholds& thresholds) {
  LayerWeights weights = analysis::model_linear_weights(job.model());  // this rank's layers; the others empty
  if (!dist::is_root()) {
    answer(job, weights);
    return nullptr;
  }
  const std::set<int64_t> layers = layers_read(*resid, *captures, thresholds);
  const std::vector<std::byte> asked = bytes_of(nlohmann::json(std::vector<int64_t>(layers.begin(), layers.end())));
  for (int r = 1; r < dist::size(); ++r) dist::send_sized(asked, r, kLayers, "the layers the lifecycle reads");
  const int64_t n_layers = job.model().config().n_layers;
  for (int64_t layer : layers)
    if (const int owner = owner_of(layer, n_layers); owner != 0)
      weights[static_cast<size_t>(layer)] = modules_of(json_of(dist::receive_sized(owner, kModules, modules_of_layer(layer))));
  return analysis::lifecycle_json(*resid, *captures, weights, thresholds);
}

}  // namespace osc::pipeline
