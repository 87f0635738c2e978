// Row orders of RoPE query/key projections. Meta's checkpoints (and llama2.c, and llama.cpp's GGUF
// for LLaMA-family models) rotate adjacent pairs (2i, 2i+1) of each head; HF's rotate_half layout
// rotates (i, i + d_head/2). export.py / convert_hf_to_gguf.py permute rows between the two.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace osc {

// Returns an owned copy of `w` ([n_heads * d_head, in], any dtype) with each head's rows moved
// from the interleaved layout to the rotate_half layout: new row i * d_head/2 + j of a head is
// old row 2j + i. Throws BadInput if the rows do not split into heads of even size.
TensorView unpermute_rope_rows(const TensorView& w, int64_t n_heads);

}  // namespace osc
