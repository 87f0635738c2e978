// llama2.c header -> ModelConfig: run.c's fixed choices (RMSNorm 1e-5, SwiGLU, RoPE theta 10000).
#include "formats/config_parsers.h"

namespace osc {

ModelConfig config_from_llama2c(const Llama2cHeader& h) {
  ModelConfig c;
  c.architecture = "llama";
  c.source_format = "llama2c";
  c.n_layers = h.n_layers;
  c.d_model = h.dim;
  c.n_heads = h.n_heads;
  c.n_kv_heads = h.n_kv_heads;
  c.d_head = h.dim / h.n_heads;
  c.d_ff = h.hidden_dim;
  c.vocab_size = h.vocab_size;
  c.max_positions = h.seq_len;
  c.norm_eps = 1e-5;         // run.c's rmsnorm constant
  c.rope_interleaved = true;  // Meta layout; see llama2c.h
  c.tied_embeddings = h.shared_classifier;
  c.bos_token_id = 1;  // llama2.c's sentencepiece convention
  c.eos_token_id = 2;
  validate_model_config(c, "llama2.c header");
  return c;
}

}  // namespace osc
