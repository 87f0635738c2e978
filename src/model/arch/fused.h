// Helpers for architectures whose source layout differs from the internal one (weight_store.h):
// fused query/key/value projections in their two source orders, Conv1D weights stored
// [in, out], and checkpoint formats a family does not support. Shared by gpt2, falcon, mpt,
// gpt_neox and opt in this folder.
#pragma once
#include <string>

#include "core/model_config.h"
#include "formats/named_tensors.h"
#include "model/layer_range.h"
#include "model/weight_store.h"

namespace osc {

// Row order of a fused qkv weight [(n_heads + 2 * n_kv_heads) * d_head, d_model]:
//   Blocked:  all q rows, then all k rows, then all v rows (MPT Wqkv, GPT-2 c_attn transposed).
//   Grouped:  per key/value head g: its n_heads / n_kv_heads query heads, then k_g, then v_g
//             (Falcon; with one kv head that is Falcon-7B's [q..., k, v], with n_kv_heads = n_heads
//             it is GPT-NeoX's per-head [q_h, k_h, v_h]).
enum class QkvOrder { Blocked, Grouped };

// Stores blocks.{layer}.attn.q / k / v (and .bias when `bias` is non-null) from a fused weight
// [rows, d_model] and bias [rows]. Blocked order and single-kv-head grouped order are sliced
// without a copy; other grouped orders gather rows into an owned buffer in the stored dtype.
void bind_fused_qkv(const TensorView& weight, const TensorView* bias, QkvOrder order, const ModelConfig& c,
                    int64_t layer, WeightStore& w, const std::string& where);

// bind_fused_qkv for every layer from `stem` + ".weight" (and ".bias" when the config has q/k/v
// biases); `stem` holds {l} for the layer, e.g. "transformer.blocks.{l}.attn.Wqkv".
void bind_fused_qkv_layers(const NamedTensors& source, const std::string& stem, QkvOrder order, const ModelConfig& c,
                           LayerRange layers, WeightStore& w, const std::string& where);

// A Conv1D weight [in, out] as a linear weight [out, in]: an owned copy in the stored dtype
// (F32 / F16 / BF16), one layer's matrix at a time, never the whole model in f32.
TensorView transpose_stored(const TensorView& v, const std::string& where);

// An f32 owned copy of elements [first, first + count) of a 1-D tensor (a slice of a fused bias).
TensorView slice_vector_f32(const TensorView& v, int64_t first, int64_t count);

// Throws BadInput "<arch> checkpoints in <format> format are not supported" unless the config came
// from HF (OPT: llama.cpp has no OPT architecture).
void require_hf_source(const ModelConfig& c);

}  // namespace osc
