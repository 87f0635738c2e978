// Binding: builds a WeightStore from a checkpoint's source-named tensors by an ArchSpec's table,
// then checks every weight's shape against the config, so a disagreement is reported at load time
// with both names and both shapes rather than as a wrong matmul later.
#pragma once
#include <string>

#include "formats/named_tensors.h"
#include "model/arch/arch.h"
#include "model/weight_store.h"

namespace osc {

// `where` names the checkpoint in messages. May adjust `config` (through the spec's bind_extra).
// Refuses (BadInput) a checkpoint with tensors the binding did not read, other than known
// buffers, and integer-typed weights (model/tensor_audit.h). With `layers` other than all, only
// the globals and those layers are bound (a layer-pipelined job's rank, pipeline/); no tensor of
// another layer is viewed, copied or read.
WeightStore bind_weights(const ArchSpec& spec, const NamedTensors& source, ModelConfig& config,
                         const std::string& where, LayerRange layers = {});

// A view of slice `index` of the first dimension (no copy).
TensorView slice_first_dim(const TensorView& v, int64_t index);
// A view of rows [first, first + count) of a 2-D tensor (no copy); fused QKV splits.
TensorView slice_rows(const TensorView& v, int64_t first, int64_t count);
// An owned f32 copy (small tensors: norms, biases).
TensorView to_owned_f32(const TensorView& v);

// The shape the config implies for an internal weight name; empty if the name has no rule.
Shape expected_weight_shape(const std::string& internal, const ModelConfig& c);

}  // namespace osc
