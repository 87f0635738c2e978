#include "model/model.h"

#include "core/error.h"
#include "formats/checkpoint.h"
#include "model/arch/arch.h"
#include "model/bind_weights.h"
#include "model/checkpoint_config.h"
#include "model/compute_precision.h"
#include "model/forward.h"
#include "model/hook_points.h"
#include "tokenizer/load_tokenizer.h"

namespace osc {
namespace {

// GGUF files carry their tokenizer inside; other formats keep it in the folder.
std::string tokenizer_source(const Checkpoint& ck) {
  return ck.format() == CheckpointFormat::Gguf ? ck.path() : ck.directory();
}

}  // namespace

Model Model::load(const std::string& path) {
  Checkpoint ck = Checkpoint::open(path);
  Model m;
  m.path_ = path;
  m.config_ = checkpoint_config(ck);
  validate_model_config(m.config_, path);
  const ArchSpec& spec = require_arch(m.config_.architecture, path);
  m.weights_ = bind_weights(spec, ck.tensors(), m.config_, path);
  m.bound_ = bind_forward_weights(m.weights_, m.config_);
  try {
    m.tokenizer_ = load_tokenizer(tokenizer_source(ck));
  } catch (const Error& e) {
    m.tokenizer_error_ = e.what();
  }
  return m;
}

Model Model::from_weights(ModelConfig config, WeightStore weights, std::shared_ptr<const Tokenizer> tokenizer,
                          LayerRange layers) {
  Model m;
  require_arch(config.architecture, "model");
  m.config_ = std::move(config);
  m.weights_ = std::move(weights);
  m.bound_ = bind_forward_weights(m.weights_, m.config_, layers);
  m.layers_ = layers;
  m.tokenizer_ = std::move(tokenizer);
  if (!m.tokenizer_) m.tokenizer_error_ = "model: no tokenizer was given";
  return m;
}

void Model::use_compute(Compute compute) {
  if (compute == config_.compute) return;
  const std::string where = path_.empty() ? "model" : path_;
  OSC_CHECK_INPUT(compute == Compute::BF16, where, "a model that computes in bf16 cannot go back to f32; load it again");
  require_bf16_support(config_, where);
  weights_ = bf16_weights(weights_, where);
  config_.compute = compute;
  bound_ = bind_forward_weights(weights_, config_, layers_);
}

Tensor Model::forward(const std::vector<int32_t>& tokens, HookSet& hooks) const {
  return run_forward(config_, bound_, tokens, hooks);
}

Tensor Model::forward(const std::vector<int32_t>& tokens) const {
  HookSet none;
  return run_forward(config_, bound_, tokens, none);
}

Tensor Model::forward(const std::vector<int32_t>& new_tokens, KvCache& cache, HookSet& hooks) const {
  return run_forward(config_, bound_, new_tokens, hooks, &cache);
}

Tensor Model::forward(const std::vector<int32_t>& new_tokens, KvCache& cache) const {
  HookSet none;
  return run_forward(config_, bound_, new_tokens, none, &cache);
}

std::vector<std::string> Model::hook_names(bool with_attention_matrices) const {
  return osc::hook_names(config_, with_attention_matrices);
}

const Tokenizer& Model::require_tokenizer() const {
  // The loader's message already names the file and the problem ("DIR: no tokenizer found (...)").
  if (!tokenizer_) throw Error(ErrorKind::BadInput, tokenizer_error_);
  return *tokenizer_;
}

std::vector<int32_t> Model::encode(const std::string& text) const {
  // The tokenizer files (tokenizer_config.json, GGUF add_bos_token, the BOS template) are the
  // model's own word on BOS; config.json parsers can only guess it per family.
  const Tokenizer& tokenizer = require_tokenizer();
  return tokenizer.encode(text, tokenizer.add_bos_default());
}

}  // namespace osc
