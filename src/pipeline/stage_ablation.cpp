#include "pipeline/stage_ablation.h"

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "analysis/ablation_passes.h"
#include "core/error.h"
#include "dist/communicator.h"
#include "pipeline/json_bytes.h"

namespace osc::pipeline {
namespace {

using namespace osc::analysis;

// The kinds of message of the ablation (apart from the other stages').
enum Tag : int { kStream = 41, kScores = 42, kMeans = 43 };

// Rank 0's target and windows' tokens, on every rank: {"layer", "channels", "windows"}.
nlohmann::json shared_plan(const nlohmann::json& plan) {
  std::vector<std::byte> bytes = dist::is_root() ? bytes_of(plan) : std::vector<std::byte>();
  uint64_t size = bytes.size();
  dist::broadcast(std::as_writable_bytes(std::span(&size, 1)));
  bytes.resize(size);
  dist::broadcast(bytes);
  return json_of(bytes);
}

std::string stream_of(const char* pass, size_t window, int64_t layer) {
  return std::string(pass) + " pass of ablation window " + std::to_string(window) + " entering layer " +
         std::to_string(layer);
}

void send_stream(const Tensor& x, const std::string& what) {
  dist::send(std::as_bytes(std::span(x.data)), dist::rank() + 1, kStream, what);
}

Tensor receive_stream(int64_t tokens, int64_t d_model, const std::string& what) {
  Tensor x({tokens, d_model});
  dist::receive(std::as_writable_bytes(std::span(x.data)), dist::rank() - 1, kStream, what);
  return x;
}

// This rank's passes: from the embeddings (rank 0) or from the previous rank's streams.
void enter(AblationPasses& passes, const std::vector<AblationWindow>& windows, const LayerPipeline& job,
           int64_t target_layer) {
  if (dist::is_root()) {
    passes.embed_originals();
    return;
  }
  const int64_t first = job.layers().first, d = job.model().config().d_model;
  for (size_t i = 0; i < windows.size(); ++i) {
    const auto tokens = static_cast<int64_t>(windows[i].tokens.size());
    Tensor original = receive_stream(tokens, d, stream_of("the original", i, first));
    passes.add_original(std::move(original));
    if (first <= target_layer) continue;
    Tensor zeroed = receive_stream(tokens, d, stream_of("the zeroed", i, first));
    passes.add_variants(std::move(zeroed), receive_stream(tokens, d, stream_of("the mean", i, first)));
  }
}

void leave(AblationPasses& passes, int64_t next_layer, int64_t target_layer) {
  for (size_t i = 0; i < passes.originals().size(); ++i) {
    send_stream(passes.originals()[i].x, stream_of("the original", i, next_layer));
    if (next_layer <= target_layer) continue;
    send_stream(passes.zeroed()[i].x, stream_of("the zeroed", i, next_layer));
    send_stream(passes.meaned()[i].x, stream_of("the mean", i, next_layer));
  }
}

nlohmann::json totals_json(const NllTotals& t) { return {t.nll, t.scored}; }
NllTotals totals_of(const nlohmann::json& j) { return {j[0].get<double>(), j[1].get<int64_t>()}; }

int owner_of(int64_t layer, const LayerPipeline& job) {
  const int64_t n_layers = job.model().config().n_layers;
  for (int r = 0; r < dist::size(); ++r)
    if (stage_layers(n_layers, r, dist::size()).contains(layer, n_layers)) return r;
  return 0;
}

}  // namespace

nlohmann::json stage_ablation(const LayerPipeline& job, const AblationTarget& target, const AblationOptions& options,
                              const ActivationThresholds& thresholds) {
  nlohmann::json plan;
  std::vector<AblationWindow> windows;
  if (dist::is_root()) {
    OSC_CHECK_INPUT(options.context >= 2, "ablation", "the context must be at least 2 tokens");
    OSC_CHECK_INPUT(target.layer >= 0 && !target.channels.empty(), "ablation", "no activation outliers to ablate");
    windows = ablation_windows(job.model(), options);
    plan = {{"layer", target.layer}, {"channels", target.channels}, {"windows", nlohmann::json::array()}};
    for (const AblationWindow& w : windows) plan["windows"].push_back(w.tokens);
  }
  plan = shared_plan(plan);
  const AblationTarget shared{plan["layer"].get<int64_t>(), plan["channels"].get<std::vector<int64_t>>()};
  if (!dist::is_root())
    for (const auto& tokens : plan["windows"]) windows.push_back({tokens.get<std::vector<int32_t>>(), {}});

  AblationPasses passes(job.model(), shared, thresholds, windows);
  enter(passes, windows, job, shared.layer);
  const LayerRange layers = job.layers();
  const int64_t end = layers.end_in(job.model().config().n_layers);
  for (int64_t l = layers.first; l < end; ++l) passes.run_layer(l);
  const int last = dist::size() - 1, owner = owner_of(shared.layer, job);
  AblationResult r;
  if (dist::rank() != last) {
    leave(passes, end, shared.layer);
  } else {
    passes.score_all(r.original, r.zeroed, r.meaned);
    const nlohmann::json scores = {totals_json(r.original), totals_json(r.zeroed), totals_json(r.meaned)};
    dist::send_sized(bytes_of(scores), 0, kScores, "the ablation's scores");
  }
  if (dist::rank() == owner && owner != 0)
    dist::send_sized(bytes_of({{"means", passes.means()}, {"n_entries", passes.n_entries()}}), 0, kMeans,
                     "the ablation's means");
  if (!dist::is_root()) return nullptr;
  const nlohmann::json scores = json_of(dist::receive_sized(last, kScores, "the ablation's scores"));
  r.original = totals_of(scores[0]);
  r.zeroed = totals_of(scores[1]);
  r.meaned = totals_of(scores[2]);
  r.n_windows = windows.size();
  r.means = passes.means();
  r.n_entries = passes.n_entries();
  if (owner != 0) {
    const nlohmann::json found = json_of(dist::receive_sized(owner, kMeans, "the ablation's means"));
    r.means = found["means"].get<std::vector<double>>();
    r.n_entries = found["n_entries"].get<int64_t>();
  }
  return ablation_json(options, target, r);
}

}  // namespace osc::pipeline
