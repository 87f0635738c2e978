#include "pipeline/layer_pipeline.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <utility>

#include "core/error.h"
#include "dist/communicator.h"
#include "model/forward.h"
#include "pipeline/capture_messages.h"

namespace osc::pipeline {
namespace {

// The kinds of message between two ranks.
enum Tag : int { kPass = 1, kStream = 2, kCaptures = 3, kLogits = 4, kUnmatched = 5 };

// Every pass starts with its header: its length T in tokens (T = 0 ends the serve loops) and, for a
// pass that extends the KV caches, the position of its first token (-1: a whole-sequence pass;
// 0: a new sequence, every rank clears its cache).
struct PassHeader {
  int64_t tokens = 0, first_position = -1;
};

std::vector<std::byte> header_bytes(PassHeader h) {
  std::vector<std::byte> bytes(sizeof h);
  std::memcpy(bytes.data(), &h, sizeof h);
  return bytes;
}

void send_header(PassHeader h, int to) { dist::send(header_bytes(h), to, kPass, "the next pass's length"); }

PassHeader receive_header(int from) {
  PassHeader h;
  dist::receive(std::as_writable_bytes(std::span(&h, 1)), from, kPass, "the next pass's length");
  return h;
}

std::string stream_entering(int rank, int64_t n_layers) {
  return "the residual stream entering layer " + std::to_string(stage_layers(n_layers, rank, dist::size()).first);
}

std::string captures_of(int rank, int64_t n_layers) {
  const LayerRange layers = stage_layers(n_layers, rank, dist::size());
  return "the hook captures of layers " + std::to_string(layers.first) + ".." + std::to_string(layers.end - 1);
}

// Moves the captures of `from` to `to` in their order (one tensor at a time in two copies).
void move_captures(HookSet& from, HookSet& to) {
  const std::vector<std::string> order = from.captured_order();
  std::map<std::string, Tensor> tensors = from.take_captured();
  for (const std::string& name : order) {
    Tensor& t = tensors.at(name);
    to.on(name, t.ptr(), t.shape);  // `to` captures everything and has no interventions: a copy
    tensors.erase(name);
  }
}

// Patterns as one message: each followed by a NUL.
std::vector<std::byte> pack_patterns(const std::vector<std::string>& patterns) {
  std::vector<std::byte> out;
  for (const std::string& p : patterns) {
    const size_t at = out.size();
    out.resize(at + p.size() + 1);
    std::memcpy(out.data() + at, p.c_str(), p.size() + 1);
  }
  return out;
}

std::vector<std::string> unpack_patterns(const std::vector<std::byte>& message) {
  std::vector<std::string> patterns;
  std::string current;
  for (std::byte b : message) {
    if (b != std::byte{0}) current += static_cast<char>(b);
    else patterns.push_back(std::exchange(current, {}));
  }
  return patterns;
}

}  // namespace

LayerPipeline::LayerPipeline(const std::string& path, Compute compute)
    : stage_(dist::size() == 1 ? Stage{LayerRange{}, Model::load(path), {}} : load_stage(path, dist::rank(), dist::size())) {
  stage_.model.use_compute(compute);
}

bool LayerPipeline::is_front() const { return dist::is_root(); }

Tensor LayerPipeline::forward(const std::vector<int32_t>& tokens, HookSet& hooks, HookSet* captured) {
  start(tokens, hooks);
  return next(hooks, captured);
}

Tensor LayerPipeline::forward(const std::vector<int32_t>& new_tokens, KvCache& cache, HookSet& hooks) {
  start(new_tokens, hooks, &cache);
  return next(hooks);
}

size_t LayerPipeline::in_flight_limit() const { return static_cast<size_t>(dist::size()); }

// Rank 0's stage; the stream leaves for rank 1 while rank 0 returns to its caller.
void LayerPipeline::start(const std::vector<int32_t>& tokens, HookSet& hooks, KvCache* cache) {
  const ModelConfig& c = stage_.model.config();
  const ForwardWeights& w = stage_.model.bound_weights();
  Pass& pass = passes_.emplace_back();
  pass.front_captures.capture_all();
  if (dist::size() == 1) {
    pass.logits = cache ? stage_.model.forward(tokens, *cache, hooks) : stage_.model.forward(tokens, hooks);
    return move_captures(hooks, pass.front_captures);
  }
  const PassHeader header{static_cast<int64_t>(tokens.size()), cache ? cache->length() : -1};
  Tensor x = forward_embed(c, w, tokens, hooks, cache);  // [T, d_model]
  run_front_layers(hooks, x, cache);
  move_captures(hooks, pass.front_captures);
  pass.tokens = header.tokens;
  pass.sends.emplace_back(header_bytes(header), 1, kPass, "the next pass's length");
  std::vector<std::byte> stream(x.data.size() * sizeof(float));
  std::memcpy(stream.data(), x.data.data(), stream.size());
  pass.sends.emplace_back(std::move(stream), 1, kStream, stream_entering(1, c.n_layers));
}

// Rank 0's layers one at a time, the sends of earlier passes moved on between them, so that over
// TCP a hand-off waits at most one layer. A cached pass (generation: no other pass is in flight)
// runs its layers in one call, which commits the cache once.
void LayerPipeline::run_front_layers(HookSet& hooks, Tensor& x, KvCache* cache) {
  const ModelConfig& c = stage_.model.config();
  const ForwardWeights& w = stage_.model.bound_weights();
  if (cache) return forward_layers(c, w, hooks, stage_.layers, x, cache);
  for (int64_t l = stage_.layers.first; l < stage_.layers.end_in(c.n_layers); ++l) {
    forward_layers(c, w, hooks, LayerRange{l, l + 1}, x);
    for (Pass& pass : passes_)
      for (dist::PendingSend& send : pass.sends) send.progress();
  }
}

// The oldest pass's hand-off completes, then every other rank's captures arrive in rank order (the
// order of a single-process pass), then the last rank's logits [T, vocab].
Tensor LayerPipeline::next(const HookSet& hooks, HookSet* captured) {
  const ModelConfig& c = stage_.model.config();
  Pass pass = std::move(passes_.front());
  passes_.pop_front();
  if (captured) move_captures(pass.front_captures, *captured);
  if (dist::size() == 1) return std::move(pass.logits);
  for (dist::PendingSend& send : pass.sends) send.complete();
  HookSet remote;  // every other rank's captures, in rank order
  remote.capture_all();
  for (int r = 1; r < dist::size(); ++r)
    unpack_captures(dist::receive_sized(r, kCaptures, captures_of(r, c.n_layers)), remote);
  Tensor logits({pass.tokens, c.vocab_size});
  if (hooks.captures("hook_logits")) logits = remote.get("hook_logits");  // the last rank sent them as a capture
  else dist::receive(std::as_writable_bytes(std::span(logits.data)), dist::size() - 1, kLogits, "the logits");
  if (captured) move_captures(remote, *captured);
  return logits;
}

void LayerPipeline::serve(HookSet& hooks) const {
  const ModelConfig& c = stage_.model.config();
  const ForwardWeights& w = stage_.model.bound_weights();
  const int me = dist::rank();
  const bool last = me == dist::size() - 1;
  KvCache cache(c);  // the keys and values of this rank's layers, for passes that extend a sequence
  for (PassHeader h = receive_header(me - 1); h.tokens > 0; h = receive_header(me - 1)) {
    Tensor x({h.tokens, c.d_model});
    dist::receive(std::as_writable_bytes(std::span(x.data)), me - 1, kStream, stream_entering(me, c.n_layers));
    if (h.first_position == 0) cache.clear();
    if (h.first_position >= 0 && h.first_position != cache.length())
      throw_internal("pipeline", "a pass at position " + std::to_string(h.first_position) + " but the KV cache holds " +
                                     std::to_string(cache.length()) + " positions");
    forward_layers(c, w, hooks, stage_.layers, x, h.first_position >= 0 ? &cache : nullptr);
    Tensor logits;
    if (last) {
      logits = forward_head(c, w, hooks, x);
    } else {
      send_header(h, me + 1);
      dist::send(std::as_bytes(std::span(x.data)), me + 1, kStream, stream_entering(me + 1, c.n_layers));
    }
    dist::send_sized(pack_captures(hooks), 0, kCaptures, captures_of(me, c.n_layers));
    hooks.clear_captured();
    if (last && !hooks.captures("hook_logits"))
      dist::send(std::as_bytes(std::span(logits.data)), 0, kLogits, "the logits");
  }
  if (!last) send_header({}, me + 1);
  dist::send_sized(pack_patterns(hooks.unmatched_patterns()), 0, kUnmatched, "the hook patterns it did not match");
}

void LayerPipeline::finish(const HookSet& hooks, const std::string& where) const {
  if (dist::size() == 1) return hooks.throw_if_unmatched(where);
  send_header({}, 1);
  std::vector<std::string> unmatched = hooks.unmatched_patterns();
  for (int r = 1; r < dist::size(); ++r) {
    const std::vector<std::string> there =
        unpack_patterns(dist::receive_sized(r, kUnmatched, "the hook patterns it did not match"));
    std::erase_if(unmatched, [&](const std::string& p) { return std::find(there.begin(), there.end(), p) == there.end(); });
  }
  if (unmatched.empty()) return;
  std::string list;
  for (const std::string& p : unmatched) list += (list.empty() ? "'" : ", '") + p + "'";
  throw_bad_input(where, "no hook point matches " + list + " (see docs/hooks.md for the names)");
}

}  // namespace osc::pipeline
