// Model: a checkpoint bound to an architecture, ready to run. The API the analyses use:
//   Model m = Model::load("path/to/model");          // HF folder, .gguf, llama2.c .bin
//   HookSet hooks; hooks.capture("blocks.*.hook_resid_post");
//   Tensor logits = m.forward(m.encode("Once upon a time"), hooks);  // [T, vocab]
//   const TensorView& w = m.weight("blocks.3.mlp.down");              // stored dtype
//   KvCache cache(m.config());                                        // incremental decoding:
//   m.forward(prompt_ids, cache); m.forward({next_id}, cache);        // logits of the new tokens
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/model_config.h"
#include "core/tensor.h"
#include "hooks/hook_set.h"
#include "model/forward_weights.h"
#include "model/kv_cache.h"
#include "model/weight_store.h"
#include "tokenizer/tokenizer.h"

namespace osc {

class Model {
 public:
  // Opens the checkpoint, binds its weights (BadInput naming the file for a missing tensor, a
  // shape that disagrees with the config, or an unsupported architecture) and loads its tokenizer
  // when one is found next to it.
  static Model load(const std::string& path);
  // A model from weights already in memory (training runs, synthetic models, tests); a process of a
  // layer-pipelined job holds only the blocks in `layers` (pipeline/).
  static Model from_weights(ModelConfig config, WeightStore weights, std::shared_ptr<const Tokenizer> tokenizer = nullptr,
                            LayerRange layers = {});

  // The precision of this model's forward passes (model/compute_precision.h; default F32). BF16
  // rounds the weights to bf16 once (F32 / F16 ones become bf16 copies); BadInput naming the model
  // for a family or weight bf16 does not support.
  void use_compute(Compute compute);

  const ModelConfig& config() const { return config_; }
  const std::string& path() const { return path_; }

  Tensor forward(const std::vector<int32_t>& tokens, HookSet& hooks) const;  // logits [T, vocab]
  Tensor forward(const std::vector<int32_t>& tokens) const;
  // Runs only new tokens after those in `cache` (see forward.h): logits [T_new, vocab].
  Tensor forward(const std::vector<int32_t>& new_tokens, KvCache& cache, HookSet& hooks) const;
  Tensor forward(const std::vector<int32_t>& new_tokens, KvCache& cache) const;

  const TensorView& weight(const std::string& internal_name) const { return weights_.get(internal_name); }
  const WeightStore& weights() const { return weights_; }
  const ForwardWeights& bound_weights() const { return bound_; }
  std::vector<std::string> hook_names(bool with_attention_matrices = true) const;

  // Null when the checkpoint came without a tokenizer; tokenizer_error() then says why.
  const Tokenizer* tokenizer() const { return tokenizer_.get(); }
  const std::string& tokenizer_error() const { return tokenizer_error_; }
  // Text → ids with the model's BOS convention; BadInput if there is no tokenizer.
  std::vector<int32_t> encode(const std::string& text) const;
  const Tokenizer& require_tokenizer() const;

 private:
  ModelConfig config_;
  std::string path_;
  WeightStore weights_;
  ForwardWeights bound_;  // what the forward pass reads of weights_, looked up once
  LayerRange layers_;     // the blocks bound_ holds
  std::shared_ptr<const Tokenizer> tokenizer_;
  std::string tokenizer_error_;
};

}  // namespace osc
