// The efficiency experiment: validation perplexity of a trained model after 8-bit absmax weight
// quantization (per tensor, per output channel), W8A8 (per-channel weights and per-token int8
// inputs of every block linear layer) and 50% unstructured magnitude pruning. Compression applies
// to the four linear weights of each block (attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj);
// embeddings (and so the tied output head), LayerNorms, biases and variant extras stay f32.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "experiment/token_windows.h"
#include "train/gpt_model.h"
#include "train/param_store.h"

namespace osc::experiment {

enum class Compression { Original, W8PerTensor, W8PerChannel, W8A8, Sparse50 };

const std::vector<Compression>& all_compressions();
std::string_view compression_name(Compression c);   // table column: "ppl_original", "ppl_w8_per_tensor", ...
std::string_view compression_label(Compression c);  // "original", "W8 per-tensor", ...

// True for the block linear weights that the experiment compresses ("h.3.mlp.c_fc.weight").
bool is_block_linear_weight(const std::string& name);
// Compresses those weights of `params` in place (W8A8 compresses weights as W8PerChannel).
void compress_weights(train::ParamStore& params, Compression c);

// exp(mean cross-entropy) over the windows, evaluated `batch` windows at a time.
double perplexity(const train::GptModel& model, const TokenWindows& windows, Compression c, int64_t batch = 8);

}  // namespace osc::experiment
