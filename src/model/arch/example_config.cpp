#include "model/arch/example_config.h"

namespace osc {

ModelConfig base_example_config(const SizePreset& p, std::string architecture, int64_t full_vocab) {
  ModelConfig c;
  c.architecture = std::move(architecture);
  c.source_format = "hf";
  c.name = "synth-" + c.architecture + "-" + p.name;
  c.n_layers = p.n_layers;
  c.d_model = p.d_model;
  c.n_heads = p.n_heads;
  c.n_kv_heads = p.n_heads;
  c.d_head = p.d_model / p.n_heads;
  c.d_ff = 4 * p.d_model;
  c.vocab_size = p.full_vocab ? full_vocab : p.small_vocab;
  c.max_positions = p.max_positions;
  return c;
}

}  // namespace osc
