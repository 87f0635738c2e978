// The shared forward pass of every registered architecture: embeddings, the blocks (sequential or
// parallel), the final norm and the unembedding, calling the hook set at each named point.
#pragma once
#include <cstdint>
#include <vector>

#include "core/model_config.h"
#include "core/tensor.h"
#include "hooks/hook_set.h"
#include "model/forward_weights.h"
#include "model/kv_cache.h"
#include "model/layer_range.h"

namespace osc {

// tokens [T] → logits [T, vocab]. Throws BadInput when T exceeds the context or a token id lies
// outside the vocabulary.
// With a cache (kv_cache.h), tokens are the *new* tokens: they sit at positions
// [cache->length(), cache->length() + T), attend to every cached position, and their keys and
// values are appended to the cache; the logits and every hook cover the new tokens only
// (attention matrices [heads, T, cache length + T]). The context check counts the cached tokens.
Tensor run_forward(const ModelConfig& c, const ForwardWeights& w, const std::vector<int32_t>& tokens, HookSet& hooks,
                   KvCache* cache = nullptr);

// run_forward in three stages, for a pass split over processes (pipeline/): the same code, hooks
// and numbers. forward_embed checks the tokens like run_forward and returns the residual stream
// x [T, d_model]; forward_layers runs `layers` on x in place; forward_head gives the logits
// [T, vocab]. With a cache (each process keeps its own, holding the keys and values of its
// layers), the tokens are new ones after the cached positions, as in run_forward; forward_layers
// stores its layers' keys and values and commits the new tokens.
Tensor forward_embed(const ModelConfig& c, const ForwardWeights& w, const std::vector<int32_t>& tokens, HookSet& hooks,
                     const KvCache* cache = nullptr);
void forward_layers(const ModelConfig& c, const ForwardWeights& w, HookSet& hooks, LayerRange layers, Tensor& x,
                    KvCache* cache = nullptr);
Tensor forward_head(const ModelConfig& c, const ForwardWeights& w, HookSet& hooks, const Tensor& x);

}  // namespace osc
