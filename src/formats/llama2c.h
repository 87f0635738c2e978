// llama2.c legacy (version 0) checkpoints and tok*.bin tokenizer files.
//
// Checkpoint: 7 x int32 header (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
// seq_len; a negative vocab_size means an untied classifier follows), then f32 weights in
// export.py's order, each stacked over layers. Tensors are returned under the HF LLaMA names
// ("model.layers.0.self_attn.q_proj.weight", ...), one view per layer.
//
// q_proj / k_proj rows are in Meta's interleaved RoPE layout (pairs (2i, 2i+1) rotate together),
// not HF's rotate_half layout: Llama2cCheckpoint::rope_interleaved_qk is true. Either run RoPE
// interleaved on them (ModelConfig::rope_interleaved, as config_from_llama2c sets) or convert the
// rows with unpermute_rope_rows (formats/rope_layout.h) and use rotate_half.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "formats/named_tensors.h"

namespace osc {

struct Llama2cHeader {
  int64_t dim = 0, hidden_dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, vocab_size = 0, seq_len = 0;
  bool shared_classifier = true;  // vocab_size was positive: lm_head is the embedding
};

struct Llama2cCheckpoint {
  Llama2cHeader header;
  NamedTensors tensors;
  bool rope_interleaved_qk = true;
};

// Throws BadInput naming the path for a bad header or a file size that does not match it.
Llama2cCheckpoint read_llama2c(const std::string& path);
// Reads only and validates the header (for format detection).
Llama2cHeader read_llama2c_header(const std::string& path);

struct Llama2cVocab {
  int32_t max_token_length = 0;
  std::vector<std::string> pieces;  // raw bytes of each token
  std::vector<float> scores;
};

// tok512.bin: max_token_length, then per token a f32 score, an int32 length and the bytes. The
// vocabulary size is not stored; pass it (from the checkpoint header) or 0 to read to the end.
Llama2cVocab read_llama2c_tokenizer(const std::string& path, int64_t vocab_size = 0);

}  // namespace osc
