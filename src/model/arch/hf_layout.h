// A family's Hugging Face checkpoint layout, derived from its ArchSpec table: every tensor
// save_pretrained writes for a config (name, shape, what it is), in the file's order. Used by
// `outlierscope synth` to write random checkpoints; the loader reads the same table back.
#pragma once
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/arch/arch.h"

namespace osc {

// What a tensor is, for initialisation: a matrix, a norm's gain or a bias.
enum class TensorRole { Matrix, NormGain, Bias };

struct HfTensor {
  std::string name;
  Shape shape;
  TensorRole role = TensorRole::Matrix;
};

// Embeddings first, then the layers (experts in expert-major order, as nn.ModuleList saves them),
// then the other globals. Shapes are those the loader checks (bind_weights.h's
// expected_weight_shape), reversed for Conv1D rows; fused q/k/v rows are
// [(n_heads + 2 * n_kv_heads) * d_head, d_model] and their bias [that].
std::vector<HfTensor> hf_tensor_layout(const ArchSpec& spec, const ModelConfig& c);

}  // namespace osc
