// A layer-pipelined pass over the ranks of an MPI job (docs/distributed.md): rank r of N holds
// layers [L r / N, L (r+1) / N) of an L-layer model (rank 0 also the embeddings, rank N-1 also the
// final norm and the head) and binds no other layer's tensors, so each rank maps about 1/N of the
// weights. Rank 0 runs the command (reads the input, writes every output) and starts each pass;
// the residual stream [T, d_model] goes rank to rank, each rank runs its layers with a hook set
// like rank 0's, and every capture comes back to rank 0 in the order of a single-process pass.
// The other ranks serve passes until rank 0 finishes. In a job of one rank, the whole model runs
// as usual.
//
//   pipeline::LayerPipeline job(path);                   // every rank
//   HookSet hooks = ...;                                 // the same patterns on every rank
//   if (!job.is_front()) { job.serve(hooks); return; }
//   HookSet captured; captured.capture_all();            // rank 0: any number of passes
//   Tensor logits = job.forward(tokens, hooks, &captured);
//   job.finish(hooks, "run");                            // BadInput for patterns no rank matched
//
// Several inputs keep every rank busy: rank 0 starts up to in_flight_limit() passes before it
// takes the oldest one's results (window i+1 runs on rank 0 while window i is on rank 1):
//
//   for (each input) { job.start(tokens, hooks); if (job.in_flight() == job.in_flight_limit()) use(job.next(hooks)); }
//   while (job.in_flight() > 0) use(job.next(hooks));
#pragma once
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "hooks/hook_set.h"
#include "model/kv_cache.h"
#include "model/layer_range.h"
#include "model/model.h"

namespace osc::pipeline {

// Layers [L r / N, L (r+1) / N) of rank r of N. BadInput when N exceeds the layers (a rank
// would hold none).
LayerRange stage_layers(int64_t n_layers, int rank, int ranks);

// Rank `rank` of `ranks`'s share of the checkpoint at `path`: the globals and its layers
// (model/bind_weights.h), with the tokenizer when one is found. Model::forward of a share needs
// every layer, so a stage runs through forward_layers instead. N > L: BadInput, reported by rank 0
// alone (root_errors.h).
struct Stage {
  LayerRange layers;
  Model model;
  std::string tokenizer_error;  // why the share has no tokenizer (the loader's message)
};
Stage load_stage(const std::string& path, int rank, int ranks);

class LayerPipeline {
 public:
  // Loads this rank's share of the checkpoint at `path` (all of it in a job of one rank), computing
  // in `compute` (Model::use_compute).
  explicit LayerPipeline(const std::string& path, Compute compute = Compute::F32);

  bool is_front() const;
  // This rank's model: the config, the tokenizer, the weights of its layers and the globals.
  const Model& model() const { return stage_.model; }
  // Why model() has no tokenizer: the loader's message, as Model::load gives it.
  const std::string& tokenizer_error() const {
    return stage_.tokenizer_error.empty() ? stage_.model.tokenizer_error() : stage_.tokenizer_error;
  }
  // The layers this rank holds (every layer in a job of one rank).
  LayerRange layers() const { return stage_.layers; }
  // Rank 0: one pass of the whole job, logits [T, vocab]. `hooks` act on rank 0's layers (the other
  // ranks' sets act on theirs); when `captured` is given (a set that captures everything and has
  // no interventions), every tensor captured on any rank is moved to it (out of `hooks` too), in
  // the order of a single-process pass.
  Tensor forward(const std::vector<int32_t>& tokens, HookSet& hooks, HookSet* captured = nullptr);
  // Rank 0: a pass of new tokens after those `cache` holds (model/kv_cache.h; generation): logits
  // [T_new, vocab]. `cache` keeps rank 0's layers; every other rank keeps a cache of its own
  // layers, cleared when `cache` is empty (a new sequence).
  Tensor forward(const std::vector<int32_t>& new_tokens, KvCache& cache, HookSet& hooks);
  // Rank 0: runs rank 0's layers of a pass of `tokens` and sends the residual stream on without
  // waiting for it to arrive, so that the next pass can start while this one is on later ranks.
  // Rank 0's captures are kept with the pass (taken out of `hooks`). With a cache, as forward with one.
  void start(const std::vector<int32_t>& tokens, HookSet& hooks, KvCache* cache = nullptr);
  // Rank 0: the results of the oldest pass started and not yet taken: its logits [T, vocab] and,
  // when `captured` is given (as in forward), every rank's captures in single-process order
  // (without it they are dropped).
  Tensor next(const HookSet& hooks, HookSet* captured = nullptr);
  size_t in_flight() const { return passes_.size(); }
  // How many passes keep every rank busy: one per rank.
  size_t in_flight_limit() const;
  // Ranks 1..N-1: runs this rank's stage of every pass rank 0 starts, with `hooks` set up as rank
  // 0's are, until rank 0 calls finish.
  void serve(HookSet& hooks) const;
  // Rank 0, after its last pass: ends the other ranks' serve loops; then BadInput naming `where`
  // for the patterns of `hooks` that matched no hook point on any rank (HookSet::throw_if_unmatched).
  void finish(const HookSet& hooks, const std::string& where) const;

 private:
  // A pass started and not yet taken.
  struct Pass {
    int64_t tokens = 0;
    HookSet front_captures;                // rank 0's, in the order of the pass
    Tensor logits;                         // a job of one rank: the whole pass ran in start
    std::vector<dist::PendingSend> sends;  // its length and residual stream, on their way to rank 1
  };

  void run_front_layers(HookSet& hooks, Tensor& x, KvCache* cache);

  Stage stage_;
  std::deque<Pass> passes_;
};

}  // namespace osc::pipeline
