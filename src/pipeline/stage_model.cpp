// One rank's share of a checkpoint (pipeline/layer_pipeline.h): the same steps as Model::load,
// with the layer range handed to the binding.
#include <memory>

#include "core/error.h"
#include "formats/checkpoint.h"
#include "model/arch/arch.h"
#include "model/bind_weights.h"
#include "model/checkpoint_config.h"
#include "pipeline/layer_pipeline.h"
#include "pipeline/root_errors.h"
#include "tokenizer/load_tokenizer.h"

namespace osc::pipeline {

LayerRange stage_layers(int64_t n_layers, int rank, int ranks) {
  OSC_CHECK_INPUT(ranks <= n_layers, "pipeline",
                  std::to_string(ranks) + " ranks cannot share " + std::to_string(n_layers) +
                      " layers (each rank runs at least one): start at most " + std::to_string(n_layers) + " ranks");
  return {n_layers * rank / ranks, n_layers * (rank + 1) / ranks};
}

Stage load_stage(const std::string& path, int rank, int ranks) {
  const Checkpoint ck = Checkpoint::open(path);
  ModelConfig config = checkpoint_config(ck);
  validate_model_config(config, path);
  LayerRange layers;
  check_alike_on_every_rank([&] { layers = stage_layers(config.n_layers, rank, ranks); });
  WeightStore weights = bind_weights(require_arch(config.architecture, path), ck.tensors(), config, path, layers);
  std::shared_ptr<const Tokenizer> tokenizer;
  std::string tokenizer_error;
  try {  // GGUF files carry their tokenizer inside; other formats keep it in the folder
    tokenizer = load_tokenizer(ck.format() == CheckpointFormat::Gguf ? ck.path() : ck.directory());
  } catch (const Error& e) {
    tokenizer_error = e.what();  // rank 0 says so when the command needs one (--text)
  }
  return {layers, Model::from_weights(std::move(config), std::move(weights), std::move(tokenizer), layers),
          std::move(tokenizer_error)};
}

}  // namespace osc::pipeline
