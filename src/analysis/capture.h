// What the analyses read: for each input sequence, its tokens and the activations captured at
// TransformerLens-named hooks ("blocks.2.hook_resid_post" -> f32 tensor). Leading batch
// dimensions of size 1 are accepted and ignored.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/token_classes.h"
#include "core/tensor.h"

namespace osc::analysis {

struct InputSequence {
  std::string source;                 // "default", "text", or a file path
  std::vector<int64_t> token_ids;
  std::vector<std::string> pieces;        // display pieces for figures, one per token
  std::vector<std::string> vocab_pieces;  // vocabulary pieces ("▁the", "<0x0A>"); empty: use pieces
};

// The token class of one position (from the vocabulary piece when known).
TokenClass token_class_at(const InputSequence& input, int64_t position);
// The display piece of one position ("" outside the sequence).
std::string piece_at(const InputSequence& input, int64_t position);

struct Capture {
  InputSequence input;
  std::map<std::string, Tensor> hooks;  // hook name -> captured activation
};

// "blocks.{L}.hook_resid_post" with {L} replaced by `layer`.
std::string hook_name(const std::string& pattern, int64_t layer);

// A [rows, cols] view of an activation [.., tokens, width] (leading dims must be 1).
struct MatrixRef {
  const float* data = nullptr;
  int64_t rows = 0, cols = 0;
  float at(int64_t r, int64_t c) const { return data[r * cols + c]; }
  const float* row(int64_t r) const { return data + r * cols; }
};
MatrixRef token_matrix(const Tensor& t, const std::string& where);

// A [heads, queries, keys] view of an attention pattern [.., heads, queries, keys].
struct PatternRef {
  const float* data = nullptr;
  int64_t heads = 0, queries = 0, keys = 0;
  float at(int64_t h, int64_t q, int64_t k) const { return data[(h * queries + q) * keys + k]; }
};
PatternRef pattern_tensor(const Tensor& t, const std::string& where);

// [tokens, heads, d_head] view of q/k/v hooks (rows = tokens, cols = heads * d_head).
struct HeadsRef {
  const float* data = nullptr;
  int64_t tokens = 0, heads = 0, d_head = 0;
  const float* at(int64_t t, int64_t h) const { return data + (t * heads + h) * d_head; }
};
HeadsRef heads_tensor(const Tensor& t, const std::string& where);

// The hook's tensor; BadInput naming the hook if it was not captured.
const Tensor& require_hook(const Capture& capture, const std::string& name);
const Tensor* find_hook(const Capture& capture, const std::string& name);

// Number of layers L such that `pattern` with L is captured, counting from 0 without gaps.
int64_t count_layers(const Capture& capture, const std::string& pattern);

}  // namespace osc::analysis
