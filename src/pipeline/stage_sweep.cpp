#include "pipeline/stage_sweep.h"

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>

#include "analysis/model_capture.h"
#include "core/progress.h"
#include "dist/communicator.h"
#include "model/forward.h"
#include "pipeline/capture_messages.h"

namespace osc::pipeline {
namespace {

// The kinds of message of the sweep (apart from layer_pipeline.cpp's and stage_weights.cpp's).
enum Tag : int { kInputCount = 21, kLength = 22, kStream = 23, kCaptures = 24 };

// One input on this rank: its hooks (with what they captured so far) and its residual stream.
struct Flight {
  HookSet hooks;
  Tensor x;  // [T, d_model]
};

// The hooks capture_inputs sets for input `index`.
HookSet sweep_hooks(size_t index, bool with_attention) {
  HookSet hooks;
  hooks.require_finite();  // statistics over NaN would look like findings (every position a sink)
  for (const std::string& glob : analysis::capture_globs(index == 0, with_attention)) hooks.capture(glob);
  return hooks;
}

std::vector<std::byte> bytes_of_count(int64_t n) {
  std::vector<std::byte> bytes(sizeof n);
  std::memcpy(bytes.data(), &n, sizeof n);
  return bytes;
}

int64_t receive_count(int from, int tag, const std::string& what) {
  int64_t n = 0;
  dist::receive(std::as_writable_bytes(std::span(&n, 1)), from, tag, what);
  return n;
}

std::string stream_of(size_t input, int64_t layer) {
  return "input " + std::to_string(input) + "'s residual stream entering layer " + std::to_string(layer);
}

// Runs the inputs through this rank's layers, layer-major; an input that has passed the last of
// them goes on at once (to the next rank, or through the head on the last rank).
class StageSweep {
 public:
  StageSweep(const LayerPipeline& job, bool with_attention)
      : job_(job), c_(job.model().config()), layers_(job.layers()), with_attention_(with_attention) {}

  // Rank 0: every input embedded, then this rank's layers.
  void run_front(const std::vector<analysis::InputSequence>& inputs, bool quiet) {
    if (!last_rank()) dist::send(bytes_of_count(static_cast<int64_t>(inputs.size())), 1, kInputCount, "the number of inputs");
    for (size_t i = 0; i < inputs.size(); ++i) {
      Flight& f = flights_.emplace_back(Flight{sweep_hooks(i, with_attention_), Tensor()});
      const std::vector<int32_t> ids(inputs[i].token_ids.begin(), inputs[i].token_ids.end());
      f.x = forward_embed(c_, job_.model().bound_weights(), ids, f.hooks);
    }
    Progress progress("forward", layers_.end_in(c_.n_layers), "layers", quiet);
    for (int64_t l = layers_.first; l < layers_.end_in(c_.n_layers); ++l) {
      for (size_t i = 0; i < flights_.size(); ++i) through(l, i);
      progress.update(l + 1);
    }
    progress.finish();
    finish_sends();
  }

  // Ranks 1..N-1: each input through the first layer as it arrives, then the other layers.
  void run_stage() {
    const int me = dist::rank();
    const int64_t n = receive_count(me - 1, kInputCount, "the number of inputs");
    if (!last_rank()) dist::send(bytes_of_count(n), me + 1, kInputCount, "the number of inputs");
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      const int64_t tokens = receive_count(me - 1, kLength, "input " + std::to_string(i) + "'s length");
      Flight& f = flights_.emplace_back(Flight{sweep_hooks(i, with_attention_), Tensor({tokens, c_.d_model})});
      dist::receive(std::as_writable_bytes(std::span(f.x.data)), me - 1, kStream, stream_of(i, layers_.first));
      through(layers_.first, i);
    }
    for (int64_t l = layers_.first + 1; l < layers_.end_in(c_.n_layers); ++l)
      for (size_t i = 0; i < flights_.size(); ++i) through(l, i);
    finish_sends();
  }

  std::vector<Flight>& flights() { return flights_; }

 private:
  bool last_rank() const { return dist::rank() == dist::size() - 1; }

  void through(int64_t layer, size_t input) {
    Flight& f = flights_[input];
    const ForwardWeights& w = job_.model().bound_weights();
    forward_layers(c_, w, f.hooks, LayerRange{layer, layer + 1}, f.x);
    for (dist::PendingSend& send : sends_) send.progress();
    if (layer + 1 < layers_.end_in(c_.n_layers)) return;
    if (last_rank()) {
      forward_head(c_, w, f.hooks, f.x);  // the logits are not kept; the head's hooks still check
    } else {
      const int next = dist::rank() + 1;
      sends_.emplace_back(bytes_of_count(f.x.shape[0]), next, kLength, "input " + std::to_string(input) + "'s length");
      std::vector<std::byte> stream(f.x.data.size() * sizeof(float));
      std::memcpy(stream.data(), f.x.data.data(), stream.size());
      sends_.emplace_back(std::move(stream), next, kStream, stream_of(input, layer + 1));
    }
    f.x = Tensor();
  }

  void finish_sends() {
    for (dist::PendingSend& send : sends_) send.complete();
    sends_.clear();
  }

  const LayerPipeline& job_;
  const ModelConfig& c_;
  const LayerRange layers_;
  const bool with_attention_;
  std::vector<Flight> flights_;
  std::vector<dist::PendingSend> sends_;
};

std::string captures_of(int rank, size_t input) {
  return "rank " + std::to_string(rank) + "'s captures of input " + std::to_string(input);
}

}  // namespace

std::vector<analysis::Capture> stage_capture_sweep(const LayerPipeline& job, std::vector<analysis::InputSequence> inputs,
                                                   bool with_attention, bool quiet) {
  StageSweep sweep(job, with_attention);
  if (!dist::is_root()) {
    sweep.run_stage();
    for (size_t i = 0; i < sweep.flights().size(); ++i) {
      dist::send_sized(pack_captures(sweep.flights()[i].hooks), 0, kCaptures, captures_of(dist::rank(), i));
      sweep.flights()[i].hooks.clear_captured();
    }
    return {};
  }
  sweep.run_front(inputs, quiet);
  std::vector<analysis::Capture> captures;
  for (size_t i = 0; i < inputs.size(); ++i)
    captures.push_back(analysis::Capture{std::move(inputs[i]), sweep.flights()[i].hooks.take_captured()});
  for (int r = 1; r < dist::size(); ++r)
    for (size_t i = 0; i < captures.size(); ++i) {
      HookSet remote;  // a set that captures everything: each tensor is stored as it was sent
      remote.capture_all();
      unpack_captures(dist::receive_sized(r, kCaptures, captures_of(r, i)), remote);
      for (auto& [name, t] : remote.take_captured()) captures[i].hooks[name] = std::move(t);
    }
  return captures;
}

}  // namespace osc::pipeline
